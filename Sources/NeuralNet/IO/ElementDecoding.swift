/// An element type as a file stores it, and its conversion to a `StoredTensor`.
///
/// Floats narrower or wider than 32 bits become `.f32` (F64 rounds to nearest); integers become
/// `.i64` exactly. All on-disk data is little-endian, as both safetensors and torch.save
/// (`byteorder` = `little`) write it.
enum FileElementType: Sendable {
    case f32, f16, bf16, f64, i64, i32, i16, i8, u8

    /// The safetensors dtype names Loupe reads.
    init?(safetensorsName: String) {
        switch safetensorsName {
        case "F32": self = .f32
        case "F16": self = .f16
        case "BF16": self = .bf16
        case "F64": self = .f64
        case "I64": self = .i64
        case "I32": self = .i32
        case "I16": self = .i16
        case "I8": self = .i8
        case "U8": self = .u8
        default: return nil
        }
    }

    var byteWidth: Int {
        switch self {
        case .f64, .i64: 8
        case .f32, .i32: 4
        case .f16, .bf16, .i16: 2
        case .i8, .u8: 1
        }
    }

    /// Builds a tensor from `count * byteWidth` bytes starting at `offset`; the caller has
    /// checked that they lie inside `bytes`.
    func decode(_ bytes: [UInt8], offset: Int, count: Int, shape: [Int]) -> StoredTensor {
        precondition(offset >= 0 && offset + count * byteWidth <= bytes.count)
        return bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress! + offset
            switch self {
            case .f32:
                return StoredTensor(shape: shape, floats: copyLittleEndian(base, count, as: UInt32.self, bitCast: true) { Float(bitPattern: $0) })
            case .f64:
                return StoredTensor(shape: shape, floats: copyLittleEndian(base, count, as: UInt64.self) { Float(Double(bitPattern: $0)) })
            case .f16:
                return StoredTensor(shape: shape, floats: copyLittleEndian(base, count, as: UInt16.self) { floatFromHalf($0) })
            case .bf16:
                // bfloat16 is the top half of a float32.
                return StoredTensor(shape: shape, floats: copyLittleEndian(base, count, as: UInt16.self) { Float(bitPattern: UInt32($0) << 16) })
            case .i64:
                return StoredTensor(shape: shape, ints: copyLittleEndian(base, count, as: UInt64.self, bitCast: true) { Int64(bitPattern: $0) })
            case .i32:
                return StoredTensor(shape: shape, ints: copyLittleEndian(base, count, as: UInt32.self) { Int64(Int32(bitPattern: $0)) })
            case .i16:
                return StoredTensor(shape: shape, ints: copyLittleEndian(base, count, as: UInt16.self) { Int64(Int16(bitPattern: $0)) })
            case .i8:
                return StoredTensor(shape: shape, ints: copyLittleEndian(base, count, as: UInt8.self) { Int64(Int8(bitPattern: $0)) })
            case .u8:
                return StoredTensor(shape: shape, ints: copyLittleEndian(base, count, as: UInt8.self) { Int64($0) })
            }
        }
    }
}

/// Reads `count` little-endian words from unaligned memory and maps each one.
///
/// When `map` only reinterprets the bits (`bitCast`), a little-endian host copies the bytes
/// as they are, which keeps loading a 100 MB model fast even in debug builds.
@inline(__always)
private func copyLittleEndian<Word: FixedWidthInteger, Element>(
    _ base: UnsafeRawPointer, _ count: Int, as _: Word.Type, bitCast: Bool = false, _ map: (Word) -> Element
) -> [Element] {
    #if _endian(little)
    if bitCast {
        precondition(MemoryLayout<Element>.size == MemoryLayout<Word>.size)
        return [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: base, byteCount: count * MemoryLayout<Word>.size) }
            initialized = count
        }
    }
    #endif
    return [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
        for i in 0..<count {
            buffer.initializeElement(at: i, to: map(Word(littleEndian: base.loadUnaligned(fromByteOffset: i * MemoryLayout<Word>.size, as: Word.self))))
        }
        initialized = count
    }
}

/// IEEE 754 half → float32, exact for every half value (subnormals, infinities, NaN payloads).
func floatFromHalf(_ h: UInt16) -> Float {
    let sign = UInt32(h & 0x8000) << 16
    let exponent = Int((h >> 10) & 0x1F)
    var mantissa = UInt32(h & 0x3FF)
    switch exponent {
    case 0x1F:
        return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
    case 0 where mantissa == 0:
        return Float(bitPattern: sign)
    case 0:
        // Subnormal half: shift the mantissa up until its leading 1 becomes the implicit bit.
        var e = -14
        while mantissa & 0x400 == 0 { mantissa <<= 1; e -= 1 }
        mantissa &= 0x3FF
        return Float(bitPattern: sign | UInt32(e + 127) << 23 | mantissa << 13)
    default:
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | mantissa << 13)
    }
}

/// Appends values as little-endian bytes, the layout both Loupe's writers use.
extension Array where Element == UInt8 {
    mutating func appendLittleEndian(_ tensor: StoredTensor) {
        #if _endian(little)
        switch tensor.dtype {
        case .f32: tensor.floats.withUnsafeBytes { append(contentsOf: $0) }
        case .i64: tensor.ints.withUnsafeBytes { append(contentsOf: $0) }
        }
        #else
        switch tensor.dtype {
        case .f32: for v in tensor.floats { withUnsafeBytes(of: v.bitPattern.littleEndian) { append(contentsOf: $0) } }
        case .i64: for v in tensor.ints { withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) } }
        }
        #endif
    }

    /// The little-endian unsigned integer of `Word`'s width at `offset`; the caller checks bounds.
    func littleEndian<Word: FixedWidthInteger>(_: Word.Type, at offset: Int) -> Word {
        withUnsafeBytes { Word(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: Word.self)) }
    }
}
