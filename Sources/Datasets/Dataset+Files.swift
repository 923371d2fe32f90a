import Dispatch
import Foundation
import TensorCore
import Imaging

/// How image files are read when a dataset is loaded.
public struct FileLoadOptions: Sendable {
    /// Decode every file once at load time, listing unreadable ones and filling the cache.
    /// Without it, files are only listed; unreadable ones surface in `ImageStore.failures` when met.
    public var verify = true
    /// Threads that decode side by side while verifying.
    public var workers = Parallel.threads
    public var cacheBudget = ImageStore.defaultCacheBudget
    public var limits = ImageLimits.default
    /// Replaces the image decoder (tests, progress); nil: `decodeImage(path:limits:scale:)`.
    public var decoder: ImageDecoder?
    /// The bytes that images decoded side by side may hold (`DecodeBudget.shared` unless set).
    public var budget = DecodeBudget.shared

    public init() {}

    func makeStore() -> ImageStore {
        ImageStore(decoder: decoder, cacheBudget: cacheBudget, limits: limits, budget: budget)
    }
}

/// Names that are never images and not worth listing as unreadable (hidden files, OS clutter).
func isClutter(_ name: String) -> Bool {
    name.hasPrefix(".") || ["thumbs.db", "desktop.ini"].contains(name.lowercased())
}

/// Regular files under `folder`, recursively and through symbolic links, sorted by path,
/// clutter left out.
func filesBelow(_ folder: String) -> [String] {
    FolderWalk.files(below: folder, skip: isClutter)
}

/// Extensions of image files (decoded or not: a `.bmp` is listed as unreadable with its reason).
let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "jpe", "jfif", "bmp", "gif", "tif", "tiff", "webp", "ppm", "pgm", "pbm", "heic", "heif", "avif"]

/// Whether a file's name says it is not an image: an extension that no image format uses
/// (`.txt`, `.csv`, `.json`, `.loupe`…). A name without an extension is decoded to find out.
public func isNonImageFileName(_ path: String) -> Bool {
    let name = (path as NSString).lastPathComponent
    let ext = (name as NSString).pathExtension.lowercased()
    return !ext.isEmpty && !imageExtensions.contains(ext)
}

/// A decoding error's message without the file path in front (the path is listed beside it).
func reasonText(_ error: any Error, path: String) -> String {
    let text = String(describing: error)
    return text.hasPrefix(path + ": ") ? String(text.dropFirst(path.count + 2)) : text
}

extension Dataset {
    /// Loads a folder with one sub-folder per class (torchvision's ImageFolder): classes are the
    /// sub-folder names, sorted; images are all files below each, recursively.
    ///
    /// Empty class folders are left out and listed in `excludedClasses` (with 0 images).
    public static func loadFolder(_ root: String, options: FileLoadOptions = FileLoadOptions()) throws -> Dataset {
        try scanFolder(root, options: options).verified(options)
    }

    /// Loads a CSV of `path,label` rows (a header row is optional; extra columns are ignored).
    /// Paths are relative to `imageFolder`, by default the CSV's own folder.
    ///
    /// Class names are the labels sorted (numerically when all are integers). Rows that cannot
    /// be used are listed in `unreadable` with their line numbers.
    public static func loadCSV(_ file: String, imageFolder: String? = nil, options: FileLoadOptions = FileLoadOptions()) throws -> Dataset {
        try scanCSV(file, imageFolder: imageFolder, options: options).verified(options)
    }

    /// Loads every image below a folder, without labels (for prediction), sorted by path.
    public static func loadUnlabelled(_ folder: String, options: FileLoadOptions = FileLoadOptions()) throws -> Dataset {
        guard isDirectory(folder) else { throw DatasetError.notFound(path: folder) }
        let all = filesBelow(folder)
        let files = all.filter { !isNonImageFileName($0) }
        guard !files.isEmpty else { throw DatasetError.noImages(path: folder) }
        let samples = files.map { Sample(source: .file($0), label: nil) }
        var d = Dataset(path: folder, format: .unlabelled, classes: [], samples: samples, store: options.makeStore())
        d.ignoredFiles = all.filter(isNonImageFileName)
        return d.verified(options)
    }

    static func scanFolder(_ root: String, options: FileLoadOptions) throws -> Dataset {
        guard isDirectory(root) else { throw DatasetError.notFound(path: root) }
        let fm = FileManager.default
        let classNames = try fm.contentsOfDirectory(atPath: root)
            .filter { !isClutter($0) && isDirectory(root + "/" + $0) }
            .sorted()
        guard !classNames.isEmpty else {
            throw DatasetError.unknownFormat(path: root, reason: "no class sub-folders; put each class in a folder of its own, or give a CSV of path,label")
        }
        var classes = [String](), samples = [Sample](), empty = [ExcludedClass](), ignored = [String]()
        for name in classNames {
            let all = filesBelow(root + "/" + name)
            ignored += all.filter(isNonImageFileName)
            let files = all.filter { !isNonImageFileName($0) }
            if files.isEmpty { empty.append(ExcludedClass(name: name, count: 0)); continue }
            samples += files.map { Sample(source: .file($0), label: classes.count) }
            classes.append(name)
        }
        guard !samples.isEmpty else { throw DatasetError.noImages(path: root) }
        var d = Dataset(path: root, format: .folder, classes: classes, samples: samples, store: options.makeStore())
        d.excludedClasses = empty
        d.ignoredFiles = ignored
        return d
    }

    /// Decodes every sample once (in parallel), dropping and listing those that fail.
    func verified(_ options: FileLoadOptions) -> Dataset {
        guard options.verify else { return self }
        let n = samples.count
        let shapes = ResultSlots<ImageShape>(count: n)
        let errors = ResultSlots<String>(count: n)
        let lanes = max(1, min(options.workers, n))
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            for i in stride(from: lane, to: n, by: lanes) {
                do {
                    shapes.set(i, try store.verify(samples[i].source))
                } catch let DatasetError.unreadable(_, reason) {
                    errors.set(i, reason)
                } catch {
                    errors.set(i, String(describing: error))
                }
            }
        }
        var d = self
        var keep = [Int]()
        for i in 0..<n {
            if let reason = errors.get(i) {
                d.unreadable.append(UnreadableFile(path: samples[i].name, reason: reason))
            } else {
                keep.append(i)
                d.samples[i].shape = shapes.get(i)
            }
        }
        return d.keeping(sampleIndices: keep)
    }
}

func isDirectory(_ path: String) -> Bool {
    var isDir: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
}
