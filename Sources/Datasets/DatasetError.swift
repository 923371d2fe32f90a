/// Errors the Data layer throws; each case names the file, line or parameter at fault.
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    case notFound(path: String)
    case unknownFormat(path: String, reason: String)
    case noImages(path: String)
    case idx(path: String, reason: String)
    case gzip(path: String, reason: String)
    case csv(path: String, line: Int, reason: String)
    case unknownClass(name: String, available: [String])
    case noClassesLeft(path: String, minPerClass: Int)
    case invalidParameter(name: String, value: String, reason: String)
    case splitMismatch(reason: String)
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case let .notFound(path):
            return "\(path): no such file or folder"
        case let .unknownFormat(path, reason):
            return "\(path): cannot tell the dataset format (\(reason))"
        case let .noImages(path):
            return "\(path): no images found"
        case let .idx(path, reason):
            return "\(path): not a valid IDX file: \(reason)"
        case let .gzip(path, reason):
            return "\(path): cannot decompress: \(reason)"
        case let .csv(path, line, reason):
            return "\(path):\(line): \(reason)"
        case let .unknownClass(name, available):
            let shown = available.prefix(12).joined(separator: ", ")
            return "unknown class '\(name)' (classes are: \(shown)\(available.count > 12 ? ", …" : ""))"
        case let .noClassesLeft(path, minPerClass):
            return "\(path): no class has at least \(minPerClass) images"
        case let .invalidParameter(name, value, reason):
            return "invalid \(name)=\(value): \(reason)"
        case let .splitMismatch(reason):
            return "the recorded split does not fit this dataset: \(reason)"
        case let .unreadable(path, reason):
            return "\(path): \(reason)"
        }
    }
}
