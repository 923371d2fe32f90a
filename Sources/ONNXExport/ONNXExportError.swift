/// Why an export failed; each message names the file or the limit at fault and what to do.
public enum ONNXExportError: Error, CustomStringConvertible, Equatable {
    /// The serialized model would exceed protobuf's limit for one message.
    case tooLarge(path: String, bytes: Int, limit: Int)
    /// The file (or its temporary sibling) could not be written.
    case cannotWrite(path: String, reason: String)
    /// The model has something the exporter cannot express.
    case unsupportedModel(String)

    public var description: String {
        switch self {
        case .tooLarge(let path, let bytes, let limit):
            return "cannot export to '\(path)': the ONNX model would take \(ONNXExportError.readable(bytes)) (\(bytes) bytes), "
                + "over protobuf's limit of \(ONNXExportError.readable(limit)) (\(limit) bytes) for one file; "
                + "nothing was written (a smaller architecture, e.g. ResNet-50 instead of ResNet-152, fits)"
        case .cannotWrite(let path, let reason):
            return "cannot write '\(path)': \(reason); nothing was written"
        case .unsupportedModel(let m):
            return "cannot export this model to ONNX: \(m)"
        }
    }

    /// 1536 → "1.50 KiB".
    public static func readable(_ bytes: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB"]
        var v = Double(bytes), u = 0
        while v >= 1024 && u < units.count - 1 { v /= 1024; u += 1 }
        return u == 0 ? "\(bytes) bytes" : String(format: "%.2f %@", v, units[u])
    }
}
