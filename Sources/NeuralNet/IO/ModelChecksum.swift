import CZlib

/// The checksum a `.loupe` file (format 2 on) carries of its content, verified on load so that a
/// flipped bit on disk or in a copy is reported instead of loaded as a silently different model.
///
/// CRC-32 (zlib's) detects every single-bit error and every burst of up to 32 bits. It covers
/// Loupe's JSON metadata, then each tensor in name order: its name, shape, type and values as
/// stored (so a change to a name, a shape or an offset in the header changes it too).
public enum ModelChecksum {
    /// The `__metadata__` key that holds it, as `crc32:` and eight hex digits.
    public static let metadataKey = "loupe_checksum"

    /// The checksum of `tensors` and `loupeMetadata`, written as `crc32:1a2b3c4d`.
    public static func of(_ tensors: NamedTensors, loupeMetadata: String) -> String {
        var crc = crc32(0, nil, 0)
        func add(_ bytes: UnsafeRawBufferPointer) {
            var rest = bytes
            // zlib takes a 32-bit length: feed large tensors in pieces.
            while !rest.isEmpty {
                let n = min(rest.count, 1 << 30)
                crc = crc32(crc, rest.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(n))
                rest = UnsafeRawBufferPointer(rebasing: rest[n...])
            }
        }
        func add(_ text: String) { Array(text.utf8).withUnsafeBytes { add($0) } }
        add(loupeMetadata)
        for name in tensors.names.sorted() {
            let t = tensors[name]!
            add("\u{0}\(name)\u{0}\(t.dtype.rawValue)\(t.shape)\u{0}")
            switch t.dtype {
            case .f32: t.floats.withUnsafeBytes { add($0) }
            case .i64: t.ints.withUnsafeBytes { add($0) }
            }
        }
        return "crc32:" + String(repeating: "0", count: 8 - String(crc, radix: 16).count) + String(crc, radix: 16)
    }
}
