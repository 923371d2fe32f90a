import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Where weights live on this machine, and how a name, a URL or a file becomes a checked local file.
///
/// Folders: `$LOUPE_HOME/weights` (default `$XDG_CACHE_HOME/loupe/weights`, i.e.
/// `~/.cache/loupe/weights`); a file PyTorch already downloaded into `$TORCH_HOME/hub/checkpoints`
/// (default `~/.cache/torch/hub/checkpoints`) is used as it is. `LOUPE_WEIGHTS_URL` replaces
/// torchvision's download folder (a mirror). A file whose name carries a sha256 prefix
/// (`NAME-<hex>.pth`, torch.hub's rule) is checked against it; the built-in table's always are.
/// Downloads go to `NAME.partial-PID` in the cache, are checked, then renamed: nothing half-written
/// or wrong stays (a killed download's partial file is removed by the next download of that name). The proxy variables (`https_proxy`, `http_proxy`, `no_proxy`) are honoured by
/// the HTTP client (Foundation's URLSession on libcurl).
public struct WeightCache: Sendable {
    public var folder: String
    public var torchHubFolder: String
    public var mirror: String?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.cache"
        let loupeHome = environment["LOUPE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? cache + "/loupe"
        folder = loupeHome + "/weights"
        let torchHome = environment["TORCH_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? cache + "/torch"
        torchHubFolder = torchHome + "/hub/checkpoints"
        mirror = environment["LOUPE_WEIGHTS_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// What became of a request: the local file, whether it was downloaded now, and the cached
    /// copies that were passed over because they were not the expected file (each path and what
    /// became of it).
    public struct Resolved: Sendable, Equatable {
        public var path: String
        public var downloaded: Bool
        public var damaged: [String] = []
    }

    /// Progress of a download: bytes so far and the total when the server said it; return true to stop.
    public typealias Progress = @Sendable (_ bytes: Int64, _ total: Int64?) -> Bool

    /// torchvision's ImageNet weights for `depth`: the cache, PyTorch's hub cache, else downloaded.
    public func imagenet(depth: Int, progress: @escaping Progress = { _, _ in false }) throws(WeightsError) -> (Resolved, ImageNetWeights) {
        guard let weights = ImageNetWeights.forDepth(depth) else { throw .noImageNetWeights(depth: depth) }
        let resolved = try fetch(url: weights.url(base: mirror ?? ImageNetWeights.baseURL), expectedPrefix: weights.hashPrefix, progress: progress)
        return (resolved, weights)
    }

    /// Where torchvision's ImageNet weights for `depth` are downloaded from (the mirror when set).
    public func imagenetURL(depth: Int) throws(WeightsError) -> String {
        guard let weights = ImageNetWeights.forDepth(depth) else { throw .noImageNetWeights(depth: depth) }
        return weights.url(base: mirror ?? ImageNetWeights.baseURL)
    }

    /// The name a URL's file has in the caches.
    public static func fileName(url: String) -> String {
        URL(string: url)?.lastPathComponent ?? (url as NSString).lastPathComponent
    }

    /// The cached copy of a URL's file on this machine, unchecked (`fetch` checks it), or nil.
    public func cachedPath(url: String) -> String? {
        let name = Self.fileName(url: url)
        return [folder + "/" + name, torchHubFolder + "/" + name].first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Puts a URL's file, received from elsewhere (rank 0 of an mpirun job), into the cache the way
    /// a download goes: written beside, then renamed. `fetch(url:)` then finds and checks it.
    public func store(_ data: Data, url: String) throws(WeightsError) {
        let target = folder + "/" + Self.fileName(url: url)
        let partial = target + ".partial-\(getpid())"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: partial))
            if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
            try FileManager.default.moveItem(atPath: partial, toPath: target)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw .cannotWrite(path: target, reason: (error as NSError).localizedFailureReason ?? error.localizedDescription)
        }
    }

    /// A URL's file: found in a cache by its name, else downloaded; checked by its name's hash prefix.
    /// A cached copy that is not the expected file (a damaged disk, a copy cut short) is passed
    /// over, as a package manager does: Loupe's own is removed and downloaded again, PyTorch's is
    /// left alone (it is not Loupe's to delete); `Resolved.damaged` says which.
    public func fetch(url: String, expectedPrefix: String? = nil, progress: @escaping Progress = { _, _ in false }) throws(WeightsError) -> Resolved {
        let name = Self.fileName(url: url)
        let expected = expectedPrefix ?? WeightFile.hashPrefix(of: name)
        var damaged: [String] = []
        for candidate in [folder + "/" + name, torchHubFolder + "/" + name] where FileManager.default.fileExists(atPath: candidate) {
            do throws(WeightsError) {
                try check(candidate, expected: expected, name: name, deleteOnMismatch: false)
                return Resolved(path: candidate, downloaded: false, damaged: damaged)
            } catch .hashMismatch(_, _, let actual, _, _, _) {
                let own = candidate.hasPrefix(folder + "/")
                if own { try? FileManager.default.removeItem(atPath: candidate) }
                let fate = own ? "was removed" : "is left as it was (PyTorch's cache)"
                damaged.append("\(candidate) is not the expected file (its sha256 begins \(actual.prefix(8)), expected \(expected ?? "")) and \(fate)")
            }
        }
        let target = folder + "/" + name
        // Named by process, as `store`'s is: two processes downloading into one cache never share it.
        let partial = target + ".partial-\(getpid())"
        removeAbandonedPartials(of: name)
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw .cannotWrite(path: folder, reason: (error as NSError).localizedFailureReason ?? error.localizedDescription)
        }
        try WeightDownload.run(url: url, to: partial, progress: progress, cacheFolder: folder, fileName: name)
        try check(partial, expected: expected, name: name, deleteOnMismatch: true, source: url)
        do {
            if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
            try FileManager.default.moveItem(atPath: partial, toPath: target)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw .cannotWrite(path: target, reason: error.localizedDescription)
        }
        return Resolved(path: target, downloaded: true, damaged: damaged)
    }

    /// A local file, checked when its name carries a hash prefix.
    public func checkedFile(_ path: String) throws(WeightsError) -> String {
        guard FileManager.default.isReadableFile(atPath: path) else { throw .unreadable(path: path) }
        let name = (path as NSString).lastPathComponent
        try check(path, expected: WeightFile.hashPrefix(of: name), name: name, deleteOnMismatch: false)
        return path
    }

    /// Removes `NAME.partial-PID` files whose process is gone (a download killed mid-way).
    private func removeAbandonedPartials(of name: String) {
        let prefix = name + ".partial-"
        for file in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where file.hasPrefix(prefix) {
            guard let pid = pid_t(file.dropFirst(prefix.count)), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(atPath: folder + "/" + file) }
        }
    }

    private func check(_ path: String, expected: String?, name: String, deleteOnMismatch: Bool, source: String? = nil) throws(WeightsError) {
        guard let expected else { return }
        let actual = try WeightFile.sha256(path: path)
        guard actual.hasPrefix(expected) else {
            if deleteOnMismatch { try? FileManager.default.removeItem(atPath: path) }
            throw .hashMismatch(source: source ?? path, expected: expected, actual: actual, cacheFolder: folder, fileName: name, removed: deleteOnMismatch)
        }
    }
}
