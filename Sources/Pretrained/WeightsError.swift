/// Why weights could not be had, with what a user needs to get them another way.
public enum WeightsError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String)
    /// The download failed: the URL, why, and where a manually copied file would be found.
    case downloadFailed(url: String, reason: String, cacheFolder: String, fileName: String)
    /// `removed`: a download, deleted; a file found in a cache or given by path stays as it was.
    case hashMismatch(source: String, expected: String, actual: String, cacheFolder: String, fileName: String, removed: Bool)
    case noImageNetWeights(depth: Int)
    case cannotWrite(path: String, reason: String)
    /// Under mpirun, rank 0 fetches for every rank: its failure, as it said it.
    case failedAtRankZero(String)

    public var description: String {
        let offline = { (folder: String, name: String) in
            "Without internet, copy \(name) into \(folder) (or PyTorch's hub cache), or set LOUPE_WEIGHTS_URL to a mirror that serves it."
        }
        switch self {
        case .unreadable(let path): return "cannot read '\(path)'"
        case .downloadFailed(let url, let reason, let folder, let name):
            return "cannot download \(url): \(reason). \(offline(folder, name))"
        case .hashMismatch(let source, let expected, let actual, let folder, let name, let removed):
            let fate = removed ? "nothing was kept" : "the file is left as it was: remove or replace it"
            return "\(source) is not the expected file: its sha256 begins \(actual.prefix(expected.count)), expected \(expected); \(fate). \(offline(folder, name))"
        case .noImageNetWeights(let depth):
            return "torchvision has no ImageNet weights for ResNet-\(depth) (only 18, 34, 50, 101 and 152)"
        case .cannotWrite(let path, let reason): return "cannot write '\(path)': \(reason)"
        case .failedAtRankZero(let text): return text
        }
    }
}
