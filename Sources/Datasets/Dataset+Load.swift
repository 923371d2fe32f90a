import Foundation

/// The parameters of the `dataset` command.
public struct DatasetOptions: Sendable {
    /// nil: detected from the path.
    public var format: DatasetFormat?
    public var size: ImageSize?
    /// 1 or 3.
    public var channels: Int?
    public var minPerClass: Int?
    /// Keep only these classes, in this order.
    public var classes: [String]?
    /// A stratified subset of this many images.
    public var limit: Int?
    /// `labels="FILE.csv"`: a CSV of path,label for the images in PATH (a folder).
    public var labelsFile: String?
    /// Class names for IDX labels (overrides the Fashion-MNIST / digits choice).
    public var classNames: [String]?
    /// Seeds `limit`'s choice.
    public var seed: UInt64 = 0
    public var files = FileLoadOptions()

    public init() {}
}

extension Dataset {
    /// Loads a dataset as the `dataset` command does: detect the format, read it, then apply the
    /// class selection, `min_per_class` and `limit` (before decoding, so a limited subset of a
    /// large folder decodes only what it keeps).
    public static func load(_ path: String, options: DatasetOptions = DatasetOptions()) throws -> Dataset {
        if let c = options.channels, c != 1 && c != 3 {
            throw DatasetError.invalidParameter(name: "channels", value: "\(c)", reason: "must be 1 or 3")
        }
        if let s = options.size, s.width < 1 || s.height < 1 {
            throw DatasetError.invalidParameter(name: "size", value: "\(s.width)x\(s.height)", reason: "must be at least 1x1")
        }
        if let m = options.minPerClass, m < 0 {
            throw DatasetError.invalidParameter(name: "min_per_class", value: "\(m)", reason: "must not be negative")
        }
        let format = try options.format ?? detectFormat(path, labelsFile: options.labelsFile)
        var d: Dataset
        switch format {
        case .idx:
            d = try loadIDX(folder: path, classNames: options.classNames)
        case .folder:
            d = try scanFolder(path, options: options.files)
        case .csv:
            if let labels = options.labelsFile {
                d = try scanCSV(labels, imageFolder: path, options: options.files)
            } else {
                d = try scanCSV(path, imageFolder: nil, options: options.files)
            }
        case .unlabelled, .memory:
            return try loadUnlabelled(path, options: options.files)
        }
        if let names = options.classes { d = try d.keepingClasses(names) }
        if let m = options.minPerClass { d = try d.droppingClasses(below: m) }
        if let n = options.limit { d = try d.limited(to: n, seed: options.seed) }
        if format != .idx { d = d.verified(options.files) }
        d.requestedSize = options.size
        d.requestedChannels = options.channels
        return d
    }

    /// The format of a path: a file is a CSV; a folder with `train-*` IDX files is IDX; a folder
    /// with sub-folders is folder-per-class; a folder of plain images is unlabelled.
    public static func detectFormat(_ path: String, labelsFile: String? = nil) throws -> DatasetFormat {
        let fm = FileManager.default
        guard fm.fileExists(atPath: path) else { throw DatasetError.notFound(path: path) }
        if labelsFile != nil { return .csv }
        guard isDirectory(path) else { return .csv }
        let names = try fm.contentsOfDirectory(atPath: path)
        if names.contains(where: { $0.lowercased().hasPrefix("train") && $0.lowercased().contains("idx") }) { return .idx }
        if names.contains(where: { !isClutter($0) && isDirectory(path + "/" + $0) }) { return .folder }
        if names.contains(where: { !isClutter($0) }) { return .unlabelled }
        throw DatasetError.noImages(path: path)
    }
}
