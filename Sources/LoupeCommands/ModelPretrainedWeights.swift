import Foundation
import LoupeLang
import NeuralNet
import Pretrained
import TensorCore
import Workflow

/// `resnet DEPTH weights=imagenet|"URL"|"FILE"`: torchvision weights fetched, checked and loaded.
enum PretrainedWeights {
    enum Source {
        case imagenet
        case url(String)
        case file(String)
    }

    /// The `weights=` argument, or nil for `none`.
    static func requested(_ call: CommandInvocation) throws -> Source? {
        guard case .string(let text)? = call.arguments["weights"], text != "none" else { return nil }
        if text == "imagenet" { return .imagenet }
        if text.contains("://") { return .url(text) }
        return .file(HomePath.expand(text))
    }

    /// A model with the architecture `config` asks for and the weights of `source`; the output
    /// layer is new when the classes differ from the file's, the first convolution's RGB filters
    /// are summed for grey input (fastai's rule), and the ImageNet normalisation goes with them.
    static func build(_ source: Source, config: ResNetConfig, depth: Int, names: [String], size: (width: Int, height: Int),
                      seed: UInt64, call: CommandInvocation) throws -> ModelValue {
        guard config.stem == .imagenet, [18, 34, 50, 101, 152].contains(depth) else {
            throw CommandError.invalidArgument(parameter: "weights", message: "torchvision's weights are for resnet 18, 34, 50, 101 and 152 with the ImageNet stem"
                                               + (config.stem == .small && [18, 34, 50, 101, 152].contains(depth) ? " (leave stem=small out, or give size=128x128 or more)" : ""))
        }
        let fetched: (path: String, weights: ModelOrigin.WeightsSource)
        do {
            fetched = try fetch(source, depth: depth, call: call)
        } catch {
            if call.shouldStop() { throw CommandError.interrupted }
            throw CommandError.invalidArgument(parameter: "weights", message: error.description)
        }
        let path = fetched.path
        var model: ResNet
        do {
            model = try ModelStore.importTorchvision(path: path, depth: depth, classes: names.count, seed: seed)
            if let hidden = config.hidden { model = try model.withNewHead(classes: names.count, hidden: hidden, seed: seed) }
            if config.inputChannels == 1 { model = try greyFirstLayer(model, seed: seed) }
        } catch {
            throw CommandError.invalidArgument(parameter: "weights", message: "\(error)")
        }
        // torchvision's evaluation transform for these weights, scaled to the input size.
        let table = ImageNetWeights.forDepth(depth)
        let crop = table.map { Double($0.crop) / Double($0.resize) }
        let metadata = ModelMetadata(architecture: model.config, classNames: names, inputWidth: size.width, inputHeight: size.height,
                                     normalization: .imagenet(channels: config.inputChannels), id: newModelID(call), crop: crop)
        if let table {
            let side = Int((Double(min(size.width, size.height)) / (crop ?? 1)).rounded())
            call.write("preprocessing: the shorter side resized to \(side) px and the centre \(size.width)x\(size.height) kept, ImageNet mean and std "
                       + "(torchvision's resize \(table.resize), crop \(table.crop) for these weights; the edges outside the crop are not seen)")
        }
        warnIfTooSmall(model.config, width: size.width, height: size.height, call: call)
        let value = ModelValue(model: model, metadata: metadata)
        value.origin = .pretrained(depth: depth, weights: fetched.weights)
        return value
    }

    /// The local file of `source` (downloaded and checked when needed) and where its weights came from.
    static func fetch(_ source: Source, depth: Int, call: CommandInvocation) throws(WeightsError) -> (path: String, weights: ModelOrigin.WeightsSource) {
        if let communicator = call.communicator {
            switch source {
            case .imagenet: return try fetchOnRanks(source, url: WeightCache().imagenetURL(depth: depth), depth: depth, call: call, communicator: communicator)
            case .url(let url): return try fetchOnRanks(source, url: url, depth: depth, call: call, communicator: communicator)
            case .file: break   // every rank reads its own file (a rank that lacks it fails, and all stop)
            }
        }
        return try fetchHere(source, depth: depth, call: call)
    }

    /// Under mpirun: rank 0 alone fetches (downloads once, checks the hash); a failure there ends
    /// every rank with rank 0's message. The other ranks then take rank 0's checked file: on its
    /// host the same cache file; a rank whose cache lacks it (another host without a shared
    /// file system) receives rank 0's bytes, stores them in its cache, and checks them there.
    static func fetchOnRanks(_ source: Source, url: String, depth: Int, call: CommandInvocation,
                             communicator: Communicator) throws(WeightsError) -> (path: String, weights: ModelOrigin.WeightsSource) {
        let isRoot = communicator.rank == 0
        var fetched: (path: String, weights: ModelOrigin.WeightsSource)?
        var outcome: [UInt8] = []
        if isRoot {
            do { fetched = try fetchHere(source, depth: depth, call: call); outcome = [1] } catch { outcome = [0] + Array(error.description.utf8) }
        }
        // Rank 0's outcome on every rank: 1, or 0 and its message.
        let verdict = communicator.allGather(outcome)[0]
        guard verdict.first == 1 else { throw .failedAtRankZero(String(decoding: verdict.dropFirst(), as: UTF8.self)) }
        let cache = WeightCache()
        let lacking = !isRoot && cache.cachedPath(url: url) == nil
        if communicator.allReduceSum([lacking ? 1 : 0])[0] > 0 {
            var data = isRoot ? ((try? Data(contentsOf: URL(fileURLWithPath: fetched!.path))) ?? Data()) : Data()
            var size = Int64(data.count)
            communicator.broadcast(&size, bytes: 8, root: 0)
            if !isRoot { data = Data(count: Int(size)) }
            if size > 0 { data.withUnsafeMutableBytes { communicator.broadcast($0.baseAddress!, bytes: Int(size), root: 0) } }
            if lacking {
                guard size > 0 else { throw .failedAtRankZero("rank 0 could not read \(fetched?.path ?? url) to send it") }
                try cache.store(data, url: url)
            }
        }
        if let fetched { return fetched }
        // The cached, checked file (never downloaded here: it is in the cache now).
        return try fetchHere(source, depth: depth, call: call)
    }

    /// The cached copies `fetch` passed over, one line each.
    private static func report(_ damaged: [String], _ call: CommandInvocation) {
        for line in damaged { call.write("weights: \(line)") }
    }

    /// `fetch` on this process alone.
    static func fetchHere(_ source: Source, depth: Int, call: CommandInvocation) throws(WeightsError) -> (path: String, weights: ModelOrigin.WeightsSource) {
        let cache = WeightCache()
        switch source {
        case .imagenet:
            let result = try cache.imagenet(depth: depth, progress: progress(call, name: ImageNetWeights.forDepth(depth)?.fileName ?? ""))
            let table = result.1, resolved = result.0
            report(resolved.damaged, call)
            call.write("weights: \(table.fileName) (\(table.version)) from \(resolved.path)\(resolved.downloaded ? " (downloaded now)" : "")")
            return (resolved.path, .imagenet(version: table.version, fileName: table.fileName))
        case .url(let url):
            let resolved = try cache.fetch(url: url, progress: progress(call, name: (url as NSString).lastPathComponent))
            report(resolved.damaged, call)
            call.write("weights: \(resolved.path)\(resolved.downloaded ? " (downloaded now)" : "")")
            return (resolved.path, .url(url))
        case .file(let file):
            return (try cache.checkedFile(file), .file(file))
        }
    }

    /// The same network for one input channel: conv1's filters summed over R, G and B.
    static func greyFirstLayer(_ rgb: ResNet, seed: UInt64) throws -> ResNet {
        var config = rgb.config
        config.inputChannels = 1
        let grey = ResNet(config, seed: seed)
        let state = Dictionary(uniqueKeysWithValues: rgb.state().map { ($0.name, $0) })
        try grey.load(state: { name in
            guard let tensor = state[name] else { return nil }
            guard name == "conv1.weight", tensor.shape.count == 4, tensor.shape[1] == 3 else { return (tensor.shape, tensor.values) }
            let (oc, kh, kw) = (tensor.shape[0], tensor.shape[2], tensor.shape[3])
            var summed = [Float](repeating: 0, count: oc * kh * kw)
            for o in 0..<oc {
                for c in 0..<3 {
                    for k in 0..<(kh * kw) { summed[o * kh * kw + k] += tensor.values[(o * 3 + c) * kh * kw + k] }
                }
            }
            return ([oc, 1, kh, kw], summed)
        })
        return grey
    }

    /// A download's progress as a bar in megabytes; Ctrl-C stops it.
    static func progress(_ call: CommandInvocation, name: String) -> WeightCache.Progress {
        let box = CallBox(call)
        return { bytes, total in
            let megabytes = Int(bytes / 1_000_000)
            if !box.started {
                box.started = true
                box.call.progress.start(ProgressTask(title: "downloading \(name)", steps: max(1, Int((total ?? 0) / 1_000_000)), unit: "MB"))
            }
            box.call.progress.update(ProgressUpdate(step: megabytes))
            if let total, bytes >= total { box.call.progress.finish(nil) }
            return box.call.shouldStop()
        }
    }

    /// The command's invocation, handed to the download's callback thread while the command waits.
    final class CallBox: @unchecked Sendable {
        let call: CommandInvocation
        var started = false
        init(_ call: CommandInvocation) { self.call = call }
    }
}

/// ", centre crop 87.5%" for a model that crops before resizing, "" otherwise.
func cropNote(_ crop: Double?) -> String {
    guard let crop else { return "" }
    return ", centre crop " + String(format: "%.1f%%", crop * 100)
}
