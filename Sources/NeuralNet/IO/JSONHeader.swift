/// A parsed JSON value, just enough for safetensors headers.
///
/// Objects keep their members in file order (the order tensors are listed), and numbers keep
/// their text so that integers beyond 2^53 are judged exactly rather than through a Double.
enum JSONValue {
    case object([JSONMember])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    /// The value as an `Int` when it is a JSON integer that fits; nil otherwise.
    var integer: Int? {
        guard case .number(let text) = self else { return nil }
        return Int(text)  // Int(String) rejects fractions, exponents and overflow.
    }

    /// A short name of the kind of value, for error messages.
    var kind: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number(let n): "the number \(n)"
        case .bool(let b): "\(b)"
        case .null: "null"
        }
    }
}

/// One `"key": value` member of a JSON object.
struct JSONMember {
    let key: String
    let value: JSONValue
}

/// Where and why JSON text failed to parse.
struct JSONSyntaxError: Error {
    let offset: Int
    let reason: String
}

/// A recursive-descent JSON parser over UTF-8 bytes (RFC 8259), with a nesting bound so a
/// hostile header cannot overflow the stack.
struct JSONParser {
    private let bytes: ArraySlice<UInt8>
    private var i: Int
    private let maxDepth = 64

    /// Parses exactly one value; trailing spaces are allowed (safetensors pads headers with them).
    static func parse(_ bytes: ArraySlice<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, i: bytes.startIndex)
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.i == bytes.endIndex else { throw parser.fail("unexpected text after the JSON object") }
        return value
    }

    private func fail(_ reason: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: i - bytes.startIndex, reason: reason)
    }

    private mutating func skipSpace() {
        while i < bytes.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
    }

    private mutating func expect(_ literal: String, _ value: JSONValue) throws(JSONSyntaxError) -> JSONValue {
        for c in literal.utf8 {
            guard i < bytes.endIndex, bytes[i] == c else { throw fail("expected '\(literal)'") }
            i += 1
        }
        return value
    }

    private mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < maxDepth else { throw fail("nested deeper than \(maxDepth) levels") }
        skipSpace()
        guard i < bytes.endIndex else { throw fail("the text ends where a value should be") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected character '\(Unicode.Scalar(bytes[i]))'")
        }
    }

    private mutating func object(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        i += 1
        var members: [JSONMember] = []
        skipSpace()
        if i < bytes.endIndex, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
        while true {
            skipSpace()
            guard i < bytes.endIndex, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a quoted member name") }
            let key = try string()
            skipSpace()
            guard i < bytes.endIndex, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':' after \"\(key)\"") }
            i += 1
            members.append(JSONMember(key: key, value: try value(depth: depth + 1)))
            skipSpace()
            guard i < bytes.endIndex else { throw fail("the text ends inside an object") }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            guard bytes[i] == UInt8(ascii: ",") else { throw fail("expected ',' or '}'") }
            i += 1
        }
    }

    private mutating func array(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        i += 1
        var elements: [JSONValue] = []
        skipSpace()
        if i < bytes.endIndex, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(elements) }
        while true {
            elements.append(try value(depth: depth + 1))
            skipSpace()
            guard i < bytes.endIndex else { throw fail("the text ends inside an array") }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(elements) }
            guard bytes[i] == UInt8(ascii: ",") else { throw fail("expected ',' or ']'") }
            i += 1
        }
    }

    private mutating func number() throws(JSONSyntaxError) -> JSONValue {
        let start = i
        func digits(_ i: inout Int) -> Int {
            let s = i
            while i < bytes.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) { i += 1 }
            return i - s
        }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard digits(&i) > 0 else { throw fail("malformed number") }
        if i < bytes.endIndex, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits(&i) > 0 else { throw fail("malformed number") }
        }
        if i < bytes.endIndex, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.endIndex, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits(&i) > 0 else { throw fail("malformed number") }
        }
        return .number(String(decoding: bytes[start..<i], as: UTF8.self))
    }

    private mutating func string() throws(JSONSyntaxError) -> String {
        i += 1
        var utf8: [UInt8] = []
        while true {
            guard i < bytes.endIndex else { throw fail("the text ends inside a string") }
            let c = bytes[i]
            i += 1
            switch c {
            case UInt8(ascii: "\""):
                guard let s = String(validating: utf8, as: UTF8.self) else { throw fail("a string is not valid UTF-8") }
                return s
            case UInt8(ascii: "\\"):
                guard i < bytes.endIndex else { throw fail("the text ends inside a string") }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(e)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"): utf8.append(contentsOf: try unicodeEscape())
                default: throw fail("unknown escape '\\\(Unicode.Scalar(e))'")
                }
            case 0..<0x20:
                throw fail("a control character inside a string")
            default:
                utf8.append(c)
            }
        }
    }

    /// Decodes `XXXX` after `\u`, joining a UTF-16 surrogate pair into one scalar.
    private mutating func unicodeEscape() throws(JSONSyntaxError) -> [UInt8] {
        var unit = try hex4()
        if (0xD800..<0xDC00).contains(unit) {
            guard i + 1 < bytes.endIndex, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                throw fail("an unpaired UTF-16 surrogate")
            }
            i += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw fail("an unpaired UTF-16 surrogate") }
            unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(unit) else { throw fail("an unpaired UTF-16 surrogate") }
        return Array(String(Character(scalar)).utf8)
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        let isHexDigit = { (c: UInt8) in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(c | 0x20)
        }
        guard i + 4 <= bytes.endIndex, bytes[i..<i + 4].allSatisfy(isHexDigit),
              let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
            throw fail("a malformed \\u escape")
        }
        i += 4
        return v
    }
}
