/// Why a report could not be written.
public enum ReportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A figure's image could not be encoded as PNG.
    case figureEncoding(figure: String, reason: String)
    /// A file or folder could not be written.
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .figureEncoding(let figure, let reason):
            "cannot encode the figure \"\(figure)\" as PNG: \(reason)"
        case .cannotWrite(let path, let reason):
            "cannot write \(path): \(reason); check that the folder exists and is writable"
        }
    }
}
