import LoupeBase

/// Writing safetensors.
extension SafeTensors {
    /// The safetensors bytes of `tensors` with `metadata` as `__metadata__`.
    ///
    /// Output is deterministic: the header lists `__metadata__` (keys sorted) and then the
    /// tensors in their `NamedTensors` order. In the data section the int64 tensors come first,
    /// then the float32 ones (each group in that order), so that every tensor starts on a
    /// multiple of its element size, as the reference writer arranges; the header is padded
    /// with spaces so the data section starts on a multiple of 8.
    public static func encode(_ tensors: NamedTensors, metadata: [String: String] = [:]) -> [UInt8] {
        let ordered = Array(tensors)
        let dataOrder = ordered.filter { $0.tensor.dtype == .i64 } + ordered.filter { $0.tensor.dtype == .f32 }
        var ranges: [String: (Int, Int)] = [:]
        var offset = 0
        for (name, tensor) in dataOrder {
            let size = tensor.elementCount * tensor.dtype.byteWidth
            ranges[name] = (offset, offset + size)
            offset += size
        }

        var members: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(jsonQuoted($0)):\(jsonQuoted(metadata[$0]!))" }
            members.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        for (name, tensor) in ordered {
            let (begin, end) = ranges[name]!
            let dtype = tensor.dtype == .f32 ? "F32" : "I64"
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            members.append("\(jsonQuoted(name)):{\"dtype\":\"\(dtype)\",\"shape\":[\(shape)],\"data_offsets\":[\(begin),\(end)]}")
        }
        var header = Array("{\(members.joined(separator: ","))}".utf8)
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))

        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: header)
        for (_, tensor) in dataOrder { bytes.appendLittleEndian(tensor) }
        return bytes
    }

    /// Writes `tensors` to `path` atomically: a failed write leaves any previous file intact.
    public static func write(_ tensors: NamedTensors, metadata: [String: String] = [:], to path: String) throws(ModelFileError) {
        try FileSystem.writeAtomically(encode(tensors, metadata: metadata), to: path)
    }
}
