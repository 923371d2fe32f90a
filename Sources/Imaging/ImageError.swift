/// Why an image could not be read, written or transformed.
///
/// Decoding cases carry `source` (the file path, or whatever name the caller gave the bytes)
/// so that a message can always say which file is at fault.
public enum ImageError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file has no bytes at all.
    case emptyFile(source: String)
    /// The data stops before the image does (a partial download or copy).
    case truncated(source: String, detail: String)
    /// A PNG chunk's checksum does not match its content: the file is damaged.
    case badCRC(source: String, chunk: String)
    /// The content is neither PNG nor JPEG, whatever the file name says.
    case notAnImage(source: String)
    /// The header announces more pixels than the limits allow; nothing was allocated.
    case tooLarge(source: String, width: Int, height: Int, limit: String)
    /// Decoding the image alone needs more memory than the budget that images decoded side by
    /// side share (`DecodeBudget`); nothing was allocated.
    case overBudget(source: String, width: Int, height: Int, bytes: Int, budget: Int, setting: String)
    /// The file is bigger than `ImageLimits.maxFileBytes`; it was not read.
    case fileTooLarge(source: String, bytes: Int, limit: Int)
    /// A valid file of a kind Loupe does not decode (another format, an unusual colour model).
    case unsupported(source: String, detail: String)
    /// The decoder rejected the data.
    case corrupt(source: String, detail: String)
    /// The file could not be opened or read.
    case unreadable(source: String, reason: String)
    /// The file could not be written (the previous file at that path, if any, is left intact).
    case unwritable(path: String, reason: String)
    /// An operation was asked for something the image cannot give (a region outside it,
    /// a zero size); `parameter` names the argument at fault.
    case invalidArgument(parameter: String, reason: String)

    /// The file or name the error is about (the parameter name for `invalidArgument`).
    public var source: String {
        switch self {
        case .emptyFile(let source), .truncated(let source, _), .badCRC(let source, _), .fileTooLarge(let source, _, _),
             .notAnImage(let source), .tooLarge(let source, _, _, _), .unsupported(let source, _),
             .corrupt(let source, _), .unreadable(let source, _), .overBudget(let source, _, _, _, _, _):
            return source
        case .unwritable(let path, _): return path
        case .invalidArgument(let parameter, _): return parameter
        }
    }

    public var description: String {
        switch self {
        case .emptyFile(let source):
            return "\(source): the file is empty"
        case .truncated(let source, let detail):
            return "\(source): the file is truncated (\(detail)); copy or download it again"
        case .badCRC(let source, let chunk):
            return "\(source): the file is damaged (bad CRC in PNG chunk '\(chunk)')"
        case .notAnImage(let source):
            return "\(source): not an image (the content is neither PNG nor JPEG)"
        case .tooLarge(let source, let width, let height, let limit):
            return "\(source): image of \(width)x\(height) pixels is too large (\(limit))"
        case .overBudget(let source, let width, let height, let bytes, let budget, let setting):
            let mb = { (b: Int) in (b + (1 << 20) - 1) >> 20 }
            return "\(source): a \(width)x\(height) image needs about \(mb(bytes)) MB to decode, more than the decoding budget "
                + "of \(mb(budget)) MB that images decoded side by side share; raise it with \(setting)=\(max(mb(bytes) * 2, mb(budget) * 2)) "
                + "(megabytes) if the memory is there, or make the image smaller"
        case .fileTooLarge(let source, let bytes, let limit):
            return "\(source): the file has \(bytes) bytes, more than the limit of \(limit)"
        case .unsupported(let source, let detail):
            return "\(source): unsupported image: \(detail)"
        case .corrupt(let source, let detail):
            return "\(source): the image data is corrupt (\(detail))"
        case .unreadable(let source, let reason):
            return "\(source): cannot read the file (\(reason))"
        case .unwritable(let path, let reason):
            return "\(path): cannot write the file (\(reason))"
        case .invalidArgument(let parameter, let reason):
            return "\(parameter): \(reason)"
        }
    }
}
