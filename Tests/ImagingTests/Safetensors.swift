/// A tiny safetensors reader for the reference pixels: 8-byte little-endian header length,
/// a JSON header, then raw bytes. Only what the image tests need (dtype U8).
struct Safetensors {
    struct Tensor { let dtype: String; let shape: [Int]; let bytes: [UInt8] }
    let tensors: [String: Tensor]

    init(bytes: [UInt8]) throws {
        guard bytes.count >= 8 else { throw FixtureError.malformed("safetensors shorter than 8 bytes") }
        let headerLength = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        guard headerLength <= bytes.count - 8 else { throw FixtureError.malformed("safetensors header length") }
        let header = try JSONValue.parse(Array(bytes[8..<(8 + headerLength)]))
        guard case .object(let entries) = header else { throw FixtureError.malformed("safetensors header") }
        let dataStart = 8 + headerLength
        var tensors: [String: Tensor] = [:]
        for (name, entry) in entries where name != "__metadata__" {
            guard case .object(let fields) = entry,
                  case .string(let dtype) = fields["dtype"] ?? .null,
                  case .array(let shape) = fields["shape"] ?? .null,
                  case .array(let offsets) = fields["data_offsets"] ?? .null, offsets.count == 2,
                  case .number(let begin) = offsets[0], case .number(let end) = offsets[1],
                  dataStart + Int(end) <= bytes.count, begin <= end
            else { throw FixtureError.malformed("safetensors entry \(name)") }
            let dims = shape.compactMap { value -> Int? in if case .number(let n) = value { return Int(n) } else { return nil } }
            tensors[name] = Tensor(dtype: dtype, shape: dims,
                                   bytes: Array(bytes[(dataStart + Int(begin))..<(dataStart + Int(end))]))
        }
        self.tensors = tensors
    }
}

/// Just enough JSON for the manifest and the safetensors header.
enum JSONValue: Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        var parser = Parser(bytes: bytes)
        let value = try parser.value()
        parser.skipSpace()
        guard parser.position == bytes.count else { throw FixtureError.malformed("JSON: trailing data") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var position = 0

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
        }

        mutating func expect(_ byte: UInt8) throws {
            skipSpace()
            guard position < bytes.count, bytes[position] == byte else {
                throw FixtureError.malformed("JSON: expected '\(UnicodeScalar(byte))' at \(position)")
            }
            position += 1
        }

        mutating func value() throws -> JSONValue {
            skipSpace()
            guard position < bytes.count else { throw FixtureError.malformed("JSON: unexpected end") }
            switch bytes[position] {
            case UInt8(ascii: "{"):
                position += 1
                var object: [String: JSONValue] = [:]
                skipSpace()
                if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(object) }
                while true {
                    skipSpace()
                    let key = try string()
                    try expect(UInt8(ascii: ":"))
                    object[key] = try value()
                    skipSpace()
                    if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                    try expect(UInt8(ascii: "}"))
                    return .object(object)
                }
            case UInt8(ascii: "["):
                position += 1
                var array: [JSONValue] = []
                skipSpace()
                if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(array) }
                while true {
                    array.append(try value())
                    skipSpace()
                    if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                    try expect(UInt8(ascii: "]"))
                    return .array(array)
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"): position += 4; return .bool(true)
            case UInt8(ascii: "f"): position += 5; return .bool(false)
            case UInt8(ascii: "n"): position += 4; return .null
            default:
                let start = position
                while position < bytes.count, "+-.eE0123456789".utf8.contains(bytes[position]) { position += 1 }
                guard let number = Double(String(decoding: bytes[start..<position], as: UTF8.self)) else {
                    throw FixtureError.malformed("JSON: bad number at \(start)")
                }
                return .number(number)
            }
        }

        /// A string without escapes other than \" and \\ (all the fixtures use).
        mutating func string() throws -> String {
            try expect(UInt8(ascii: "\""))
            var scalars: [UInt8] = []
            while position < bytes.count, bytes[position] != UInt8(ascii: "\"") {
                if bytes[position] == UInt8(ascii: "\\") { position += 1 }
                scalars.append(bytes[position])
                position += 1
            }
            try expect(UInt8(ascii: "\""))
            return String(decoding: scalars, as: UTF8.self)
        }
    }
}
