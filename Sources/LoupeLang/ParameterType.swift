/// The type a command parameter accepts; argument checking, `help` and Tab completion read it.
public indirect enum ParameterType: Sendable, Equatable {
    case number
    /// A whole number (`epochs=10`).
    case integer
    case string
    /// `true`/`false`; a bare parameter name means `true` (`augment d flip_h`).
    case bool
    /// One of a few words, written bare (`optimizer=adamw`) or quoted.
    case choice([String])
    /// `WxH`, as in `28x28`.
    case size
    /// A list, optionally of one element type.
    case list(of: ParameterType?)
    /// A tuple, optionally of a fixed length (`roi=(10, 20, 200, 100)`).
    case tuple(count: Int?)
    /// An object of a kind another layer defines ("dataset", "model"), or "table".
    case kind(String)
    /// A bare word taken as text, not looked up (`help train`).
    case word
    /// Any value.
    case any
    /// The first of several types that fits (`classes=d|N` is `.oneOf([.kind("dataset"), .integer])`).
    case oneOf([ParameterType])

    /// How `help` and type errors name the type ("an integer", "one of sgd, adamw").
    public var description: String {
        switch self {
        case .number: return "a number"
        case .integer: return "an integer"
        case .string: return "a string"
        case .bool: return "true or false"
        case .choice(let choices): return "one of " + choices.joined(separator: ", ")
        case .size: return "a size like 28x28"
        case .list(let element): return element.map { "a list of \(Self.plural($0))" } ?? "a list"
        case .tuple(let count): return count.map { "a tuple of \($0) numbers" } ?? "a tuple"
        case .kind(let kind): return Value.withArticle(kind)
        case .word: return "a name"
        case .any: return "any value"
        case .oneOf(let types): return types.map(\.description).joined(separator: " or ")
        }
    }

    /// A short name for the usage line and the parameter table ("integer", "sgd|adamw").
    public var shortName: String {
        switch self {
        case .number: return "number"
        case .integer: return "integer"
        case .string: return "string"
        case .bool: return "bool"
        case .choice(let choices): return choices.joined(separator: "|")
        case .size: return "WxH"
        case .list: return "list"
        case .tuple: return "tuple"
        case .kind(let kind): return kind
        case .word: return "name"
        case .any: return "value"
        case .oneOf(let types): return types.map(\.shortName).joined(separator: "|")
        }
    }

    static func plural(_ type: ParameterType) -> String {
        switch type {
        case .number: return "numbers"
        case .integer: return "integers"
        case .string: return "strings"
        case .kind(let kind): return kind + "s"
        default: return type.shortName + " values"
        }
    }

    /// The choice words this type accepts, for completion and bare-word arguments.
    public var choices: [String] {
        switch self {
        case .choice(let choices): return choices
        case .bool: return ["true", "false"]
        case .oneOf(let types): return types.flatMap(\.choices)
        default: return []
        }
    }

    /// Whether a value has this type; integers are numbers with no fraction.
    public func accepts(_ value: Value) -> Bool {
        switch (self, value) {
        case (.any, _): return true
        case (.number, .number): return true
        case (.integer, .number(let n)): return n == n.rounded() && abs(n) < 1e15
        case (.string, .string), (.word, .string): return true
        case (.bool, .bool): return true
        case (.choice(let choices), .string(let s)): return choices.contains(s)
        case (.choice(let choices), .none): return choices.contains("none")
        case (.size, .size): return true
        case (.list(let element), .list(let items)):
            guard let element else { return true }
            return items.allSatisfy(element.accepts)
        case (.tuple(let count), .tuple(let items)):
            return (count == nil || items.count == count) && items.allSatisfy { if case .number = $0 { return true } else { return false } }
        case (.kind("table"), .table): return true
        case (.kind(let kind), .object(let object)): return object.kind == kind
        case (.oneOf(let types), _): return types.contains { $0.accepts(value) }
        default: return false
        }
    }
}
