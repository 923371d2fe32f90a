import Foundation
import LoupeLang
import TensorCore
import NeuralNet
import Datasets
import Workflow

/// `cache=` and `copies=` of `fine_tune` and `train`: the frozen phase on cached backbone features.
var featureCacheParameters: [Parameter] { [
    .option("cache", .oneOf([.choice(["auto"]), .bool]), default: .string("auto"),
            help: "frozen backbone: train the head on features computed once per image and cached on disk ($LOUPE_HOME/features, default ~/.cache/loupe/features; at most 2 GiB, LOUPE_FEATURE_CACHE_MAX; delete the folder to clear it); auto: cached unless augmentation is on without copies, or under mpirun"),
    .option("copies", .integer, help: "with augmentation: K fixed augmented copies per image are cached; epoch e trains on copy (e-1) mod K"),
] }

/// What `cache=`/`copies=` decided for a frozen phase, and the line that says so.
struct FeatureCachePlan: Equatable {
    var cached: Bool
    /// Augmented copies per image (1 without augmentation).
    var copies: Int
    /// The one line that says what was decided (nil: nothing to say, e.g. cache=false).
    var message: String?
    /// The cached copies are augmented variants (else the plain preprocessed images).
    var augmented = false

    /// Decides from the arguments. `augmented`: the training images are augmented; `ranks`: the
    /// processes of an mpirun job. Throws for `cache=true` with augmentation and no `copies`.
    static func decide(_ a: Arguments, augmented: Bool, ranks: Int) throws -> FeatureCachePlan {
        let choice: String
        switch a["cache"] {
        case .bool(true)?: choice = "true"
        case .bool(false)?: choice = "false"
        default: choice = "auto"
        }
        var copies: Int?
        if a["copies"] != nil {
            let k = try a.integer("copies")
            guard (1...FeatureExtraction.maximumCopies).contains(k) else {
                throw CommandError.invalidArgument(parameter: "copies", message: "must be between 1 and \(FeatureExtraction.maximumCopies), got \(k)")
            }
            copies = k
        }
        return try decide(choice: choice, copies: copies, augmented: augmented, ranks: ranks)
    }

    static func decide(choice: String, copies: Int?, augmented: Bool, ranks: Int) throws -> FeatureCachePlan {
        switch choice {
        case "false":
            return FeatureCachePlan(cached: false, copies: 1, message: nil)
        case "true":
            if augmented {
                guard let k = copies else {
                    throw CommandError.invalidArgument(parameter: "cache",
                        message: "cache=true with augmentation needs copies=K: K fixed augmented copies of each image are cached and epoch e trains on copy (e-1) mod K (or cache=false to draw new augmentations every epoch)")
                }
                return FeatureCachePlan(cached: true, copies: k, message: "features: cached, \(k) augmented cop\(k == 1 ? "y" : "ies") per image (copies=\(k))", augmented: true)
            }
            return FeatureCachePlan(cached: true, copies: 1, message: (copies ?? 1) > 1 ? "features: cached; copies=\(copies!) ignored, the training images are not augmented" : nil)
        default:
            if ranks > 1 {
                return FeatureCachePlan(cached: false, copies: 1,
                    message: "features: not cached (cache=auto under \(ranks) ranks): the frozen backbone runs every epoch; cache=true makes each rank extract the features")
            }
            if augmented {
                guard let k = copies else {
                    return FeatureCachePlan(cached: false, copies: 1,
                        message: "features: not cached, because augmentation draws new variants every epoch; copies=K caches K augmented copies per image (or cache=false silences this)")
                }
                return FeatureCachePlan(cached: true, copies: k, message: "features: cached, \(k) augmented cop\(k == 1 ? "y" : "ies") per image (copies=\(k))", augmented: true)
            }
            return FeatureCachePlan(cached: true, copies: 1,
                message: "features: cached (no augmentation): the frozen backbone runs once per image" + ((copies ?? 1) > 1 ? "; copies=\(copies!) ignored" : ""))
        }
    }

    /// How `save_session` replays the decision: `cache=true|false` (and `copies=K`).
    var replayArguments: [(name: String, value: String)] {
        cached ? [("cache", "true")] + (copies > 1 ? [("copies", "\(copies)")] : []) : [("cache", "false")]
    }
}

/// Whether the training images of `data` are augmented under `options`.
func isAugmented(_ data: TrainingData, _ options: TrainingOptions) -> Bool {
    options.augment && !(data.train.dataset.augmentation?.isIdentity ?? true)
}

/// The train and dev sources of a frozen phase on cached features: extracts what the cache
/// lacks (with a progress bar, Ctrl-C stops it), says where the cache is on first use, and
/// writes one line of what it did.
func cachedFeatureSources(model m: ModelValue, data: TrainingData, plan: FeatureCachePlan,
                          call: CommandInvocation) throws -> (train: FeatureBatchSource, dev: FeatureBatchSource?) {
    let cache = FeatureCache()
    if !FileManager.default.fileExists(atPath: cache.folder) {
        call.write("features are cached in \(cache.folder) (at most \(byteText(cache.capacity)), least recently used first out; \(FeatureCache.capacityVariable) sets the cap; delete the folder to clear it)")
    }
    let digest = FeatureExtraction.backboneDigest(m.model)
    let images = data.train.count * (plan.augmented ? plan.copies : 1) + (data.dev?.count ?? 0)
    let polling = PollingProgress(call)
    defer { polling.end() }
    var started = false
    var done = 0
    func progress(_ d: Int, _ of: Int) {
        if !started { polling.begin(ProgressTask(title: "features", steps: images, unit: "image")); started = true }
        while done < d { _ = polling.poll(); done += 1 }
    }
    let train = try interruptible(call, parameter: "d") {
        try FeatureExtraction.source(model: m.model, dataset: data.train.dataset, preprocessing: data.train.preprocessing,
                                     augmentation: plan.augmented ? data.train.dataset.augmentation : nil, copies: plan.copies,
                                     cache: cache, backboneDigest: digest, shouldStop: call.shouldStop, progress: progress)
    }
    let base = done
    let dev = try data.dev.map { d in
        try interruptible(call, parameter: "d") {
            try FeatureExtraction.source(model: m.model, dataset: d.dataset, preprocessing: d.preprocessing, augmentation: nil,
                                         cache: cache, backboneDigest: digest, shouldStop: call.shouldStop,
                                         progress: { a, b in progress(base + a, base + b) })
        }
    }
    polling.end()
    let s = dev.map { train.stats + $0.stats } ?? train.stats
    call.write("features: \(s.extracted) extracted, \(s.reused) reused from the cache" + (s.corrupt > 0 ? ", \(s.corrupt) damaged cache files recomputed" : "")
               + (s.evicted > 0 ? ", \(s.evicted) old files evicted" : "") + " (\(epochTime(s.seconds)))")
    if let failure = s.writeFailure { call.write("note: the features could not be cached (\(failure)); they are used from memory for this run") }
    return (train, dev)
}

