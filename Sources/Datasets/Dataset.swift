import Imaging

/// Where one image's pixels come from: a file decoded on demand, or a slot of an in-memory block.
public enum SampleSource: Sendable, Hashable {
    case file(String)
    case memory(Int)
}

/// A width and height in pixels (`size=WxH`).
public struct ImageSize: Sendable, Hashable, Codable {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) { self.width = width; self.height = height }
}

/// Width, height and channels of a decoded image.
public struct ImageShape: Sendable, Hashable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public init(width: Int, height: Int, channels: Int) {
        self.width = width; self.height = height; self.channels = channels
    }
}

/// One image of a dataset and its class (an index into `Dataset.classes`; nil when unlabelled).
public struct Sample: Sendable, Hashable {
    public var source: SampleSource
    public var label: Int?
    /// Known after the image was decoded once (at load time when verified, always for IDX);
    /// the region's size when there is a region.
    public var shape: ImageShape?
    /// The part of the decoded image this sample is (`crop`, `tile`); nil: all of it.
    public var region: PixelRegion?

    public init(source: SampleSource, label: Int?, shape: ImageShape? = nil, region: PixelRegion? = nil) {
        self.source = source; self.label = label; self.shape = shape; self.region = region
    }

    /// The file path, or `#index` for in-memory images.
    public var name: String {
        switch source {
        case let .file(path): return path
        case let .memory(i): return "#\(i)"
        }
    }

    /// `name`, followed by the region when the sample is part of an image.
    public var displayName: String {
        guard let r = region else { return name }
        return "\(name) [\(r.x),\(r.y) \(r.width)x\(r.height)]"
    }
}

/// How a dataset was stored on disk.
public enum DatasetFormat: String, Sendable, CaseIterable {
    case folder, csv, idx, unlabelled, memory
}

/// A file that was skipped, and why (in words a user understands).
public struct UnreadableFile: Sendable, Hashable, Codable {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
}

/// A class left out because it had fewer images than `min_per_class`.
public struct ExcludedClass: Sendable, Hashable {
    public var name: String
    public var count: Int
    public init(name: String, count: Int) { self.name = name; self.count = count }
}

/// The subsets of a dataset.
public enum Subset: String, Sendable, CaseIterable, Codable {
    case train, val, test
}

/// A labelled (or, for prediction, unlabelled) collection of images with its split and augmentation.
///
/// A `Dataset` is a value: selecting classes, splitting or setting augmentation returns a new
/// one. The pixels live in a shared `ImageStore`, so copies and subsets cost only their
/// sample lists.
public struct Dataset: Sendable {
    /// The file or folder the dataset was read from.
    public let path: String
    public let format: DatasetFormat
    /// Class names in label order.
    public internal(set) var classes: [String]
    public internal(set) var samples: [Sample]
    /// Files skipped at load time with their reasons.
    public internal(set) var unreadable: [UnreadableFile]
    /// Files left out because their names say they are not images (`notes.txt`, `labels.csv`):
    /// counted and listed, never called unreadable images.
    public internal(set) var ignoredFiles: [String] = []
    /// Classes left out by `min_per_class`.
    public internal(set) var excludedClasses: [ExcludedClass]
    /// Indices of `samples` that the source itself marks as the test split (IDX `t10k-*`).
    public internal(set) var presetTest: [Int]?
    /// The recorded split, when one was made.
    public internal(set) var split: DatasetSplit?
    /// Training-time augmentation; used only by loaders over the training subset.
    public var augmentation: AugmentationSettings?
    /// Size asked for with `size=WxH` (nil: the images' own, see `size`).
    public var requestedSize: ImageSize?
    /// Channels asked for with `channels=` (nil: the images' own, see `channels`).
    public var requestedChannels: Int?
    /// The images added to the training split after loading (`add d "DIR"`), oldest first;
    /// the dataset as loaded is iteration 1, so the current iteration is `iterations.count + 1`.
    public internal(set) var iterations: [DatasetIteration]
    public internal(set) var store: ImageStore

    init(path: String, format: DatasetFormat, classes: [String], samples: [Sample],
         unreadable: [UnreadableFile] = [], presetTest: [Int]? = nil, store: ImageStore) {
        self.path = path
        self.format = format
        self.classes = classes
        self.samples = samples
        self.unreadable = unreadable
        self.excludedClasses = []
        self.presetTest = presetTest
        self.split = nil
        self.augmentation = nil
        self.requestedSize = nil
        self.requestedChannels = nil
        self.iterations = []
        self.store = store
    }

    /// Number of images.
    public var count: Int { samples.count }

    /// Images per class, in class order.
    public var counts: [Int] {
        var c = [Int](repeating: 0, count: classes.count)
        for s in samples { if let l = s.label { c[l] += 1 } }
        return c
    }

    /// Labels of every sample (-1 where unlabelled).
    public var labels: [Int] { samples.map { $0.label ?? -1 } }

    /// The most common image shape among samples whose shape is known.
    public var typicalShape: ImageShape? {
        var tally = [ImageShape: Int]()
        for s in samples { if let sh = s.shape { tally[sh, default: 0] += 1 } }
        return tally.max { a, b in a.value != b.value ? a.value < b.value : a.key.width * a.key.height > b.key.width * b.key.height }?.key
    }

    /// The size models should see: the requested one, else the most common image size.
    public var size: ImageSize? {
        requestedSize ?? typicalShape.map { ImageSize(width: $0.width, height: $0.height) }
    }

    /// The channels models should see: the requested ones, else 1 for grey data and 3 otherwise.
    public var channels: Int? {
        requestedChannels ?? typicalShape.map { $0.channels <= 2 ? 1 : 3 }
    }

    /// Which subset each sample belongs to (nil: not assigned, e.g. before any split).
    public var membership: [Subset?] {
        var m = [Subset?](repeating: nil, count: samples.count)
        if let split {
            for i in split.train { m[i] = .train }
            for i in split.val { m[i] = .val }
            for i in split.test { m[i] = .test }
        } else if let presetTest {
            for i in 0..<samples.count { m[i] = .train }
            for i in presetTest { m[i] = .test }
        }
        return m
    }

    /// Sample indices of a subset, or nil when the dataset has no such subset yet.
    ///
    /// Before a split, a dataset whose source has a test split (IDX) has `train` = everything
    /// else and `test`; other datasets have no subsets.
    public func indices(of subset: Subset) -> [Int]? {
        if let split {
            switch subset {
            case .train: return split.train
            case .val: return split.val
            case .test: return split.test
            }
        }
        guard let presetTest else { return nil }
        switch subset {
        case .test: return presetTest
        case .val: return nil
        case .train:
            let test = Set(presetTest)
            return (0..<samples.count).filter { !test.contains($0) }
        }
    }

    /// A subset as a dataset of its own (sharing the image store); nil when it does not exist.
    ///
    /// Augmentation carries over to `train` only: it is never used for evaluation.
    public func subset(_ subset: Subset) -> Dataset? {
        guard let idx = indices(of: subset) else { return nil }
        var d = selecting(indices: idx)
        if subset != .train { d.augmentation = nil }
        return d
    }

    /// A dataset of the given samples (in that order), keeping classes, store and augmentation.
    public func selecting(indices: [Int]) -> Dataset {
        var d = self
        d.samples = indices.map { samples[$0] }
        d.presetTest = nil
        d.split = nil
        return d
    }

    /// The decoded pixels of sample `i` (its region only, when it has one).
    public func image(at i: Int) throws -> Image {
        try withImage(at: i) { $0 }
    }

    /// Calls `body` with the pixels of sample `i` (its region only, when it has one), holding the
    /// decode's share of the store's budget until it returns (see `ImageStore.withImage`).
    ///
    /// `atLeast`: the sample may come decoded smaller when it stays at least that large (a JPEG
    /// at libjpeg's half, quarter or eighth scale). Samples with a region decode whole, since
    /// their region is in the whole picture's pixels.
    public func withImage<T>(at i: Int, atLeast: (width: Int, height: Int)? = nil, _ body: (Image) throws -> T) throws -> T {
        let s = samples[i]
        return try store.withImage(s.source, atLeast: s.region == nil ? atLeast : nil) { image in
            guard let r = s.region else { return try body(image) }
            guard let clipped = r.clipped(toWidth: image.width, height: image.height) else {
                throw DatasetError.unreadable(path: s.name, reason: "region \(r) lies outside the \(image.width)x\(image.height) image")
            }
            return try body(image.cropped(x: clipped.x, y: clipped.y, width: clipped.width, height: clipped.height))
        }
    }
}
