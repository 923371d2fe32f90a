/// Reads and writes safetensors files: an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, then the raw little-endian data.
///
/// Readers check every size in the header against the file and `FileLimits` before allocating
/// any tensor, so a damaged or hostile file is refused with a message, never a crash.
public enum SafeTensors {
    /// Reads every tensor of a safetensors file, and its `__metadata__` strings.
    public static func read(path: String, limits: FileLimits = .default)
        throws(ModelFileError) -> (tensors: NamedTensors, metadata: [String: String]) {
        try read(bytes: FileSystem.readWholeFile(path, limits: limits), source: path, limits: limits)
    }

    /// Reads safetensors content already in memory; `source` names it in error messages.
    public static func read(bytes: [UInt8], source: String, limits: FileLimits = .default)
        throws(ModelFileError) -> (tensors: NamedTensors, metadata: [String: String]) {
        let header = try parseHeader(bytes, source: source, limits: limits)
        var tensors = NamedTensors()
        for entry in header.entries {
            tensors[entry.name] = entry.type.decode(bytes, offset: header.dataStart + entry.begin,
                                                    count: entry.elementCount, shape: entry.shape)
        }
        return (tensors, header.metadata)
    }

    /// One tensor as the header describes it, checked against the file.
    struct Entry {
        let name: String
        let type: FileElementType
        let shape: [Int]
        let elementCount: Int
        /// Byte range relative to the start of the data section.
        let begin: Int
        let end: Int
    }

    struct Header {
        let entries: [Entry]
        let metadata: [String: String]
        let dataStart: Int
    }

    /// Parses and validates the header: after it returns, every entry's bytes lie inside `bytes`.
    static func parseHeader(_ bytes: [UInt8], source: String, limits: FileLimits) throws(ModelFileError) -> Header {
        guard !bytes.isEmpty else { throw .empty(path: source) }
        guard bytes.count >= 8 else {
            throw .truncated(path: source, what: "the 8-byte header length", neededBytes: 8, fileBytes: bytes.count)
        }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            throw .notSafeTensors(path: source, reason: "it is a zip archive, as torch.save writes; import it under a .pth name")
        }
        let headerLength = bytes.littleEndian(UInt64.self, at: 0)
        guard headerLength <= UInt64(limits.maxHeaderBytes) else {
            throw .notSafeTensors(path: source, reason: "its first 8 bytes give a header length of \(headerLength) bytes, "
                + "over the limit of \(limits.maxHeaderBytes)")
        }
        let dataStart = 8 + Int(headerLength)
        guard dataStart <= bytes.count else {
            throw .truncated(path: source, what: "the \(headerLength)-byte JSON header", neededBytes: dataStart, fileBytes: bytes.count)
        }
        guard headerLength >= 2, bytes[8] == UInt8(ascii: "{") else {
            throw .notSafeTensors(path: source, reason: "the header after the first 8 bytes is not a JSON object")
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes[8..<dataStart])
        } catch {
            throw .malformedHeader(path: source, reason: "at byte \(8 + error.offset): \(error.reason)")
        }
        guard case .object(let members) = json else {
            throw .notSafeTensors(path: source, reason: "the header is not a JSON object")
        }
        guard members.count <= limits.maxTensorCount + 1 else {
            throw .overLimit(path: source, what: "the number of tensors", value: "\(members.count)", limit: "\(limits.maxTensorCount)")
        }
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        var seen = Set<String>()
        let dataLength = bytes.count - dataStart
        for member in members {
            let (name, value) = (member.key, member.value)
            guard seen.insert(name).inserted else { throw .malformedHeader(path: source, reason: "'\(name)' is listed twice") }
            if name == "__metadata__" {
                metadata = try parseMetadata(value, source: source)
            } else {
                entries.append(try parseEntry(name, value, dataLength: dataLength, dataStart: dataStart,
                                              fileBytes: bytes.count, source: source, limits: limits))
            }
        }
        // Tensors must not share bytes: each one owns its range, as the format requires.
        let byStart = entries.filter { $0.end > $0.begin }.sorted { $0.begin < $1.begin }
        for (a, b) in zip(byStart, byStart.dropFirst()) where b.begin < a.end {
            throw .malformedHeader(path: source, reason: "tensors '\(a.name)' and '\(b.name)' overlap in the data section")
        }
        return Header(entries: entries, metadata: metadata, dataStart: dataStart)
    }

    private static func parseMetadata(_ value: JSONValue, source: String) throws(ModelFileError) -> [String: String] {
        guard case .object(let pairs) = value else {
            throw .malformedHeader(path: source, reason: "__metadata__ is \(value.kind), not an object of strings")
        }
        var metadata: [String: String] = [:]
        for pair in pairs {
            let (key, item) = (pair.key, pair.value)
            guard case .string(let text) = item else {
                throw .malformedHeader(path: source, reason: "__metadata__[\"\(key)\"] is \(item.kind), not a string")
            }
            metadata[key] = text
        }
        return metadata
    }

    private static func parseEntry(
        _ name: String, _ value: JSONValue, dataLength: Int, dataStart: Int, fileBytes: Int,
        source: String, limits: FileLimits
    ) throws(ModelFileError) -> Entry {
        guard case .object(let fields) = value else {
            throw .malformedHeader(path: source, reason: "tensor '\(name)' is described by \(value.kind), not an object")
        }
        func field(_ key: String) throws(ModelFileError) -> JSONValue {
            guard let v = fields.first(where: { $0.key == key })?.value else {
                throw .malformedHeader(path: source, reason: "tensor '\(name)' has no \"\(key)\"")
            }
            return v
        }
        guard case .string(let dtypeName) = try field("dtype") else {
            throw .malformedHeader(path: source, reason: "tensor '\(name)': \"dtype\" is not a string")
        }
        guard let type = FileElementType(safetensorsName: dtypeName) else {
            throw .unsupportedDType(path: source, tensor: name, dtype: dtypeName)
        }
        guard case .array(let dims) = try field("shape") else {
            throw .malformedHeader(path: source, reason: "tensor '\(name)': \"shape\" is not an array")
        }
        var shape: [Int] = []
        var elementCount = 1
        var overflow = false
        for d in dims {
            guard case .number(let text) = d else {
                throw .malformedHeader(path: source, reason: "tensor '\(name)': shape entry \(d.kind) is not a number")
            }
            guard let n = d.integer else {
                if text.contains(where: { ".eE".contains($0) }) {
                    throw .malformedHeader(path: source, reason: "tensor '\(name)' has dimension \(text), not a whole number")
                }
                throw .overLimit(path: source, what: "a dimension of tensor '\(name)'", value: text, limit: "\(limits.maxTensorElements)")
            }
            guard n >= 0 else {
                throw .malformedHeader(path: source, reason: "tensor '\(name)' has a negative dimension, \(n)")
            }
            shape.append(n)
            let (product, o) = elementCount.multipliedReportingOverflow(by: n)
            overflow = overflow || o
            elementCount = product
        }
        // A zero dimension makes an empty tensor even if other dimensions overflowed.
        if shape.contains(0) { elementCount = 0; overflow = false }
        guard !overflow, elementCount <= limits.maxTensorElements else {
            throw .overLimit(path: source, what: "the element count of tensor '\(name)' (shape \(shape))",
                             value: overflow ? "more than 2^63" : "\(elementCount)", limit: "\(limits.maxTensorElements)")
        }
        guard case .array(let offsets) = try field("data_offsets"), offsets.count == 2,
              let begin = offsets[0].integer, let end = offsets[1].integer, begin >= 0, begin <= end else {
            throw .malformedHeader(path: source, reason: "tensor '\(name)': \"data_offsets\" is not [begin, end] with 0 ≤ begin ≤ end")
        }
        let (byteCount, byteOverflow) = elementCount.multipliedReportingOverflow(by: type.byteWidth)
        guard !byteOverflow, end - begin == byteCount else {
            throw .malformedHeader(path: source, reason: "tensor '\(name)' of shape \(shape) and dtype \(dtypeName) needs "
                + "\(byteCount) bytes, but its data_offsets [\(begin), \(end)] span \(end - begin)")
        }
        guard end <= dataLength else {
            throw .truncated(path: source, what: "tensor '\(name)'", neededBytes: dataStart.addingReportingOverflow(end).partialValue,
                             fileBytes: fileBytes)
        }
        return Entry(name: name, type: type, shape: shape, elementCount: elementCount, begin: begin, end: end)
    }
}
