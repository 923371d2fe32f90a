import Foundation
import LoupeLang
import NeuralNet
import Datasets
import Workflow

/// `resnet` and `import_model`: new models, from scratch or from torchvision weights.
extension CommandRegistry {
    mutating func registerModelBuildCommands() {
        register(CommandSpec(
            name: "resnet", group: "Models", summary: "a new ResNet, initialised from the session seed",
            parameters: [
                .positional("depth", .integer, help: "18, 34, 50, 101, 152 (torchvision layout) or 20, 32, 56 (CIFAR style)"),
                .option("classes", .oneOf([.kind("dataset"), .integer]), help: "a dataset (its classes, image size, channels and channel statistics) or a number of classes"),
                .option("channels", .integer, help: "input channels (default: the dataset's, else 3)"),
                .option("stem", .choice(of: Stem.self), help: "7x7/2 + max-pool, or 3x3/1 without pooling (default: small for images of 64 px or less)"),
                .option("head", .integer, help: "units of a hidden layer (ReLU + dropout) before the output layer"),
                .option("dropout", .number, help: "dropout before the output layer when head=N is given (default 0.5)"),
                .option("size", .size, help: "input size (default: the dataset's; with classes=N 224x224, or 32x32 with the small stem)"),
                .option("weights", .oneOf([.choice(["none", "imagenet"]), .string]), default: .string("none"),
                        help: "none, imagenet (torchvision's, downloaded once and checked), or a torchvision .pth/.safetensors URL or file"),
            ],
            result: "a model", example: "m = resnet 18 classes=d weights=imagenet") { call in
                .object(try buildResNet(call))
            })
        register(CommandSpec(
            name: "import_model", group: "Models", summary: "a torchvision ResNet from .pth or .safetensors weights",
            parameters: [
                .positional("file", .string, help: "a torchvision state dict (.pth or .safetensors)"),
                .option("arch", .choice(["resnet18", "resnet34", "resnet50", "resnet101", "resnet152"]), default: .string("resnet18"), help: "the architecture the weights are for"),
                .option("classes", .oneOf([.kind("dataset"), .integer]), help: "a dataset or a number of classes; a new output layer when it differs from the file's"),
                .option("size", .size, help: "input size (default: the dataset's with classes=d, else 224x224)"),
                .option("normalize", .choice(["imagenet", "none", "dataset"]), default: .string("imagenet"), help: "input normalisation (dataset needs classes=d)"),
            ],
            result: "a model", example: "m = import_model \"resnet18.pth\" arch=resnet18 classes=d") { call in
                .object(try importModel(call))
            })
    }
}

/// What `classes=` names: a dataset or a plain count.
enum ClassSource {
    case dataset(DatasetValue)
    case count(Int)

    init?(_ value: Value?) {
        switch value {
        case .object(let d as DatasetValue)?: self = .dataset(d)
        case .number(let n)?: self = .count(Int(n))
        default: return nil
        }
    }

    func names(parameter: String = "classes") throws -> [String] {
        switch self {
        case .dataset(let d):
            guard !d.dataset.classes.isEmpty else { throw CommandError.invalidArgument(parameter: parameter, message: "the dataset has no classes") }
            return d.dataset.classes
        case .count(let n):
            guard (1...100_000).contains(n) else { throw CommandError.invalidArgument(parameter: parameter, message: "needs between 1 and 100000 classes, got \(n)") }
            return ClassMatch.placeholderNames(n)
        }
    }

    var dataset: DatasetValue? { if case .dataset(let d) = self { return d } else { return nil } }
}

/// A deterministic model id from the session seed and the next random stream.
func newModelID(_ call: CommandInvocation) -> String {
    String(format: "m-%016llx", call.drawSeed())
}

/// Per-channel statistics of the training images (all images before a split).
func datasetNormalization(_ d: DatasetValue, channels: Int, seed: UInt64) throws -> Normalization {
    let source = d.dataset.subset(.train) ?? d.dataset
    let stats = source.channelStatistics(channels: channels, seed: seed)
    guard stats.count > 0 else { throw CommandError.invalidArgument(parameter: "classes", message: "no readable image to measure the channel statistics of") }
    return Normalization(kind: .dataset, mean: stats.mean, std: stats.std.map { max($0, 1e-3) })
}

private func buildResNet(_ call: CommandInvocation) throws -> ModelValue {
    let a = call.arguments
    let depth = try a.integer("depth")
    // The depth is checked first: a wrong depth is the error to report, not the missing classes.
    guard ResNetConfig.supportedDepths.contains(depth) else {
        let nearest = ResNetConfig.supportedDepths.min { abs($0 - depth) < abs($1 - depth) }!
        throw CommandError.invalidArgument(parameter: "depth", message: "no ResNet of depth \(depth); choose one of 18, 34, 50, 101, 152 (ImageNet style) or 20, 32, 56 (CIFAR style) — did you mean \(nearest)?")
    }
    let source = ClassSource(a["classes"])
    guard let source else {
        throw CommandError.invalidArgument(parameter: "depth", message: "give the classes: classes=d (a dataset) or classes=N")
    }
    let names = try source.names()
    let d = source.dataset
    let channels = try a["channels"].map { _ in try a.integer("channels") } ?? d?.dataset.channels ?? 3
    guard channels == 1 || channels == 3 else {
        throw CommandError.invalidArgument(parameter: "channels", message: "must be 1 (grey) or 3 (RGB), got \(channels)")
    }
    var size = try a["size"].map { _ in try a.size("size") }
    if size == nil, let s = d?.dataset.size { size = (s.width, s.height) }
    if let s = size {
        try InputSizeLimits.check(width: s.width, height: s.height, parameter: a.isGiven("size") ? "size" : "classes", minSide: 8)
    }
    var stem = try a["stem"].map { _ in try a.choice("stem", as: Stem.self) }
    let cifar = [20, 32, 56].contains(depth)
    if cifar, stem == .imagenet {
        throw CommandError.invalidArgument(parameter: "stem", message: "the CIFAR-style resnet\(depth) always has the small 3x3 stem; for an ImageNet stem use depth 18, 34, 50, 101 or 152")
    }
    // Pretrained weights come with their stem, whatever the image size.
    if stem == nil, case .string(let w)? = a["weights"], w != "none", !cifar { stem = .imagenet }
    if stem == nil {
        if let s = size { stem = max(s.width, s.height) <= 64 ? .small : .imagenet } else { stem = cifar ? .small : .imagenet }
    }
    if size == nil { size = stem == .small ? (32, 32) : (224, 224) }
    let hidden = try a["head"].map { _ in try a.integer("head") }
    if a.isGiven("dropout") && hidden == nil {
        throw CommandError.invalidArgument(parameter: "dropout", message: "dropout applies to the hidden layer: give head=N too (e.g. head=256 dropout=0.3)")
    }
    let dropout = try a["dropout"].map { _ in Float(try a.number("dropout")) } ?? 0.5
    let config: ResNetConfig
    do {
        config = try ResNetConfig.resnet(depth: depth, classes: names.count, inputChannels: channels, stem: stem, hidden: hidden, dropout: dropout)
    } catch let e as NeuralNetError {
        let text = e.description
        let parameter = text.hasPrefix("head") ? "head" : text.hasPrefix("dropout") ? "dropout" : text.hasPrefix("channels") ? "channels" : "depth"
        throw CommandError.invalidArgument(parameter: parameter, message: text)
    }
    let seed = call.drawSeed()
    if let weights = try PretrainedWeights.requested(call) {
        return try PretrainedWeights.build(weights, config: config, depth: depth, names: names, size: size!, seed: seed, call: call)
    }
    let normalization = try d.map { try datasetNormalization($0, channels: channels, seed: seed) } ?? .imagenet(channels: channels)
    let model = ResNet(config, seed: seed)
    let metadata = ModelMetadata(architecture: config, classNames: names, inputWidth: size!.width, inputHeight: size!.height,
                                 normalization: normalization, id: newModelID(call))
    warnIfTooSmall(config, width: size!.width, height: size!.height, call: call)
    let value = ModelValue(model: model, metadata: metadata)
    value.origin = .randomInitialisation(depth: depth, seed: call.session.seed)
    return value
}

private func importModel(_ call: CommandInvocation) throws -> ModelValue {
    let a = call.arguments
    let path = try a.string("file")
    let arch = try a.string("arch")
    let depth = Int(arch.dropFirst("resnet".count))!
    let source = ClassSource(a["classes"])
    let names = try source?.names()
    let d = source?.dataset
    let seed = call.drawSeed()
    guard FileManager.default.isReadableFile(atPath: path) else {
        throw CommandError.unreadableFile(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
    }
    let model: ResNet
    do {
        model = try ModelStore.importTorchvision(path: path, depth: depth, classes: names?.count, seed: seed)
    } catch let e as NeuralNetError {
        throw CommandError.invalidArgument(parameter: "arch", message: e.description)
    } catch let e as ModelStoreError {
        // Weights that do not fit the depth are about arch; the rest about the file.
        if case .weightsDoNotFit = e { throw CommandError.invalidArgument(parameter: "arch", message: remedied(e)) }
        throw CommandError.invalidArgument(parameter: "file", message: remedied(e))
    } catch {
        throw CommandError.invalidArgument(parameter: "file", message: "\(error)")
    }
    var size = try a["size"].map { _ in try a.size("size") }
    if size == nil, let s = d?.dataset.size { size = (s.width, s.height) }
    let (w, h) = size ?? (224, 224)
    let channels = model.config.inputChannels
    let normalization: Normalization
    switch try a.string("normalize") {
    case "none": normalization = .none(channels: channels)
    case "dataset":
        guard let d else { throw CommandError.invalidArgument(parameter: "normalize", message: "normalize=dataset needs classes=d to measure the dataset") }
        normalization = try datasetNormalization(d, channels: channels, seed: seed)
    default: normalization = .imagenet(channels: channels)
    }
    let metadata = ModelMetadata(architecture: model.config, classNames: names ?? ClassMatch.placeholderNames(model.config.classes),
                                 inputWidth: w, inputHeight: h, normalization: normalization, id: newModelID(call))
    warnIfTooSmall(model.config, width: w, height: h, call: call)
    let value = ModelValue(model: model, metadata: metadata)
    value.origin = .imported(path: path, architecture: arch)
    return value
}

/// The ImageNet stem divides the input by 32 before the pool: under 64 px the last stages see
/// one or two pixels, which wastes most of the network.
func warnIfTooSmall(_ c: ResNetConfig, width: Int, height: Int, call: CommandInvocation) {
    guard c.stem == .imagenet, min(width, height) < 64 else { return }
    call.write("note: \(width)x\(height) images through the ImageNet stem shrink to \(max(1, (width + 31) / 32))x\(max(1, (height + 31) / 32)) by the last stage; size=128x128 (or more) suits pretrained weights better")
}
