/// Why prediction or the prediction log failed, naming the file at fault.
public enum PredictionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The user stopped a folder prediction (Ctrl-C).
    case interrupted(done: Int, total: Int)
    /// The prediction log cannot be read (missing, unreadable, not UTF-8).
    case unreadableLog(path: String, reason: String)
    /// The prediction log cannot be appended to.
    case cannotWriteLog(path: String, reason: String)

    public var description: String {
        switch self {
        case .interrupted(let done, let total):
            return "prediction stopped after \(done) of \(total) images; nothing was logged"
        case .unreadableLog(let path, let reason):
            return "cannot read the prediction log '\(path)': \(reason)"
        case .cannotWriteLog(let path, let reason):
            return "cannot append to the prediction log '\(path)': \(reason)"
        }
    }
}
