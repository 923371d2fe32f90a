/// Why a model file could not be read or written; every case names the file.
///
/// Messages say what is wrong and, where the user can do something, what to do. `path` is the
/// file path, or the `source` label given to the in-memory readers.
public enum ModelFileError: Error, CustomStringConvertible, Equatable, Sendable {
    case cannotRead(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case empty(path: String)
    /// The file ends at byte `fileBytes`, but `what` needs bytes up to `neededBytes`.
    case truncated(path: String, what: String, neededBytes: Int, fileBytes: Int)
    case notSafeTensors(path: String, reason: String)
    case malformedHeader(path: String, reason: String)
    case unsupportedDType(path: String, tensor: String, dtype: String)
    /// A size in the file (`what` = `value`) exceeds a `FileLimits` bound.
    case overLimit(path: String, what: String, value: String, limit: String)
    case notTorchArchive(path: String, reason: String)
    case corruptArchive(path: String, reason: String)
    case compressedEntry(path: String, entry: String, method: Int)
    case checksumMismatch(path: String, entry: String)
    /// The pickle names a global outside the few a state dict uses; nothing was run.
    case foreignGlobal(path: String, module: String, name: String)
    case unsupportedOpcode(path: String, opcode: UInt8, offset: Int)
    case malformedPickle(path: String, offset: Int, reason: String)
    case nonContiguous(path: String, tensor: String, shape: [Int], stride: [Int])
    case notAStateDict(path: String, reason: String)

    /// The file (or source label) at fault.
    public var path: String {
        switch self {
        case .cannotRead(let p, _), .cannotWrite(let p, _), .empty(let p),
             .truncated(let p, _, _, _), .notSafeTensors(let p, _), .malformedHeader(let p, _),
             .unsupportedDType(let p, _, _), .overLimit(let p, _, _, _), .notTorchArchive(let p, _),
             .corruptArchive(let p, _), .compressedEntry(let p, _, _), .checksumMismatch(let p, _),
             .foreignGlobal(let p, _, _), .unsupportedOpcode(let p, _, _),
             .malformedPickle(let p, _, _), .nonContiguous(let p, _, _, _), .notAStateDict(let p, _):
            return p
        }
    }

    private static let resaveHint =
        "In PyTorch, save the weights alone with torch.save(model.state_dict(), path), or export them with safetensors"

    public var description: String {
        switch self {
        case let .cannotRead(p, reason):
            return "\(p): cannot read the file: \(reason)."
        case let .cannotWrite(p, reason):
            return "\(p): cannot write the file: \(reason). Any previous file at this path is unchanged."
        case let .empty(p):
            return "\(p): the file is empty (0 bytes); it was probably cut off while being written or copied. Copy it again."
        case let .truncated(p, what, needed, size):
            return "\(p): the file is truncated: \(what) needs bytes up to \(needed) but the file ends at byte \(size). "
                + "Copy or download it again."
        case let .notSafeTensors(p, reason):
            return "\(p): not a safetensors file: \(reason)."
        case let .malformedHeader(p, reason):
            return "\(p): damaged safetensors header: \(reason)."
        case let .unsupportedDType(p, tensor, dtype):
            return "\(p): tensor '\(tensor)' has dtype \(dtype), which Loupe cannot read "
                + "(it reads F32, F16, BF16, F64, I64, I32, I16, I8 and U8). Convert the tensor to float32 first."
        case let .overLimit(p, what, value, limit):
            return "\(p): \(what) is \(value), over the limit of \(limit); "
                + "the file is damaged, or is not a model Loupe can load."
        case let .notTorchArchive(p, reason):
            return "\(p): not a torch.save zip archive (\(reason)). Loupe reads .pth files written by PyTorch 1.6 "
                + "or later. \(Self.resaveHint)."
        case let .corruptArchive(p, reason):
            return "\(p): damaged zip archive: \(reason). Copy the file again."
        case let .compressedEntry(p, entry, method):
            return "\(p): zip entry '\(entry)' is compressed (method \(method)); Loupe reads only the uncompressed "
                + "archives torch.save writes. Do not re-zip the file: save it again with torch.save(model.state_dict(), path)."
        case let .checksumMismatch(p, entry):
            return "\(p): zip entry '\(entry)' fails its CRC-32 check, so the file is damaged. Copy it again."
        case let .foreignGlobal(p, module, name):
            return "\(p): the pickle refers to '\(module).\(name)', which no state dict needs; the file was refused "
                + "and nothing in it was run. Loupe loads only state dicts (names → tensors). If you trust the file, "
                + "load it in PyTorch and save model.state_dict() or a .safetensors file."
        case let .unsupportedOpcode(p, opcode, offset):
            let hex = String(opcode, radix: 16, uppercase: true)
            return "\(p): the pickle uses opcode 0x\(hex.count == 1 ? "0" + hex : hex) at byte \(offset), which a "
                + "state dict does not need; refused. \(Self.resaveHint)."
        case let .malformedPickle(p, offset, reason):
            return "\(p): damaged pickle at byte \(offset): \(reason)."
        case let .nonContiguous(p, tensor, shape, stride):
            return "\(p): tensor '\(tensor)' of shape \(shape) has strides \(stride), so it is not contiguous. "
                + "Save contiguous tensors: {k: v.contiguous() for k, v in model.state_dict().items()}."
        case let .notAStateDict(p, reason):
            return "\(p): not a state dict: \(reason). \(Self.resaveHint)."
        }
    }
}
