// Protocol Buffers' wire format, the little of it ONNX needs (protobuf.dev "Encoding"):
//   field key = varint(field_number << 3 | wire_type)
//   wire type 0 varint (int32/int64/enum: two's complement, so a negative int64 takes 10 bytes)
//   wire type 2 length-delimited: varint(byte count), then the bytes (strings, bytes, messages)
//   wire type 5 fixed32: 4 bytes little-endian (float)
// A message is the concatenation of its fields; repeated fields are the field written again.
// Sizes are computed as a message is built, so a whole model's size is known before one byte of
// the file is allocated (the 2 GiB check) and the output buffer is allocated once, exactly.

/// A protobuf message under construction: its fields in order, and its encoded size so far.
public struct ProtoMessage: Sendable {
    enum Field: Sendable {
        case varint(field: Int, value: UInt64)
        case fixed32(field: Int, value: UInt32)
        case bytes(field: Int, value: [UInt8])
        /// Float32 values as little-endian bytes (TensorProto.raw_data), without an extra copy.
        case rawFloats(field: Int, value: [Float])
        case message(field: Int, value: ProtoMessage)
    }
    private(set) var fields: [Field] = []
    /// Bytes this message takes on the wire (without its own key and length when nested).
    public private(set) var size = 0

    public init() {}

    /// int32, int64, uint64 and enum fields (negative values are sign-extended to 64 bits).
    public mutating func int(_ field: Int, _ value: Int) {
        add(.varint(field: field, value: UInt64(bitPattern: Int64(value))),
            Protobuf.keySize(field) + Protobuf.varintSize(UInt64(bitPattern: Int64(value))))
    }

    /// A float field (fixed32).
    public mutating func float(_ field: Int, _ value: Float) {
        add(.fixed32(field: field, value: value.bitPattern), Protobuf.keySize(field) + 4)
    }

    /// A string field (UTF-8).
    public mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    /// A bytes field.
    public mutating func bytes(_ field: Int, _ value: [UInt8]) {
        add(.bytes(field: field, value: value), Protobuf.delimitedSize(field, value.count))
    }

    /// A bytes field holding float32 values little-endian.
    public mutating func rawFloats(_ field: Int, _ value: [Float]) {
        add(.rawFloats(field: field, value: value), Protobuf.delimitedSize(field, value.count * 4))
    }

    /// An embedded message.
    public mutating func message(_ field: Int, _ value: ProtoMessage) {
        add(.message(field: field, value: value), Protobuf.delimitedSize(field, value.size))
    }

    private mutating func add(_ f: Field, _ bytes: Int) {
        fields.append(f)
        size += bytes
    }

    /// The encoded message, in a buffer allocated once at its exact size.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(size)
        write(into: &out)
        precondition(out.count == size, "protobuf size \(size) computed, \(out.count) written")
        return out
    }

    func write(into out: inout [UInt8]) {
        for f in fields {
            switch f {
            case .varint(let field, let v):
                Protobuf.appendKey(field, wireType: 0, to: &out)
                Protobuf.appendVarint(v, to: &out)
            case .fixed32(let field, let v):
                Protobuf.appendKey(field, wireType: 5, to: &out)
                Protobuf.appendFixed32(v, to: &out)
            case .bytes(let field, let v):
                Protobuf.appendKey(field, wireType: 2, to: &out)
                Protobuf.appendVarint(UInt64(v.count), to: &out)
                out.append(contentsOf: v)
            case .rawFloats(let field, let v):
                Protobuf.appendKey(field, wireType: 2, to: &out)
                Protobuf.appendVarint(UInt64(v.count * 4), to: &out)
                for x in v { Protobuf.appendFixed32(x.bitPattern, to: &out) }
            case .message(let field, let m):
                Protobuf.appendKey(field, wireType: 2, to: &out)
                Protobuf.appendVarint(UInt64(m.size), to: &out)
                m.write(into: &out)
            }
        }
    }
}

/// The primitive encodings.
public enum Protobuf {
    /// Base-128 varint: 7 bits per byte, least significant group first, high bit = more follow.
    public static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    public static func varintSize(_ value: UInt64) -> Int {
        var v = value, n = 1
        while v >= 0x80 { v >>= 7; n += 1 }
        return n
    }

    static func appendKey(_ field: Int, wireType: UInt64, to out: inout [UInt8]) {
        appendVarint(UInt64(field) << 3 | wireType, to: &out)
    }

    static func keySize(_ field: Int) -> Int { varintSize(UInt64(field) << 3) }

    static func delimitedSize(_ field: Int, _ count: Int) -> Int { keySize(field) + varintSize(UInt64(count)) + count }

    static func appendFixed32(_ v: UInt32, to out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: v)); out.append(UInt8(truncatingIfNeeded: v >> 8))
        out.append(UInt8(truncatingIfNeeded: v >> 16)); out.append(UInt8(truncatingIfNeeded: v >> 24))
    }
}
