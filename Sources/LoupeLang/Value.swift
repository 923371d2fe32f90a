/// A Loupe value: what expressions evaluate to and commands return.
public enum Value {
    case number(Double)
    case string(String)
    case bool(Bool)
    case none
    case size(width: Int, height: Int)
    case list([Value])
    case tuple([Value])
    case table(Table)
    case object(any LoupeObject)

    /// Whole numbers read naturally as `Value.integer(3)`.
    public static func integer(_ value: Int) -> Value { .number(Double(value)) }

    /// The kind shown in `vars` and in type errors.
    public var kind: String {
        switch self {
        case .number: return "number"
        case .string: return "string"
        case .bool: return "bool"
        case .none: return "none"
        case .size: return "size"
        case .list: return "list"
        case .tuple: return "tuple"
        case .table: return "table"
        case .object(let object): return object.kind
        }
    }

    /// The kind with an article, for messages ("a number", "an evaluation").
    public var kindWithArticle: String { Value.withArticle(kind) }

    static func withArticle(_ word: String) -> String {
        if word == "none" { return "none" }
        return ("aeiou".contains(word.first ?? "x") ? "an " : "a ") + word
    }

    public var isNone: Bool {
        if case .none = self { return true }
        return false
    }

    /// Image files this value shows (a figure, or an object that drew some), for notebooks.
    public var figurePaths: [String] {
        switch self {
        case .object(let object): return object.figurePaths
        case .list(let items), .tuple(let items): return items.flatMap(\.figurePaths)
        default: return []
        }
    }

    /// The attributes `.name` can read: built-in ones for lists, strings, sizes and tables,
    /// the object's own for domain values.
    public var attributeNames: [String] {
        switch self {
        case .list, .tuple: return ["count", "first", "last"]
        case .string: return ["count"]
        case .size: return ["width", "height"]
        case .table(let table): return ["count", "columns"] + table.columns
        case .object(let object): return object.attributeNames
        default: return []
        }
    }

    /// Truth for `if`, `and`, `or`, `not`: false, none, zero, empty strings and lists are false.
    public var isTruthy: Bool {
        switch self {
        case .bool(let b): return b
        case .none: return false
        case .number(let n): return n != 0
        case .string(let s): return !s.isEmpty
        case .list(let items), .tuple(let items): return !items.isEmpty
        case .table(let table): return !table.rows.isEmpty
        case .size, .object: return true
        }
    }

    /// Equality for `==`: by value for plain values, by identity for objects.
    public func isEqual(to other: Value) -> Bool {
        switch (self, other) {
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.none, .none): return true
        case (.size(let w1, let h1), .size(let w2, let h2)): return w1 == w2 && h1 == h2
        case (.list(let a), .list(let b)), (.tuple(let a), .tuple(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isEqual(to: $1) }
        case (.object(let a), .object(let b)): return a === b
        default: return false
        }
    }
}
