import LoupeBase

/// Expression evaluation: arithmetic, comparisons, logic, names, attributes, indexing.
extension Evaluator {
    mutating func evaluate(_ expression: Expression) throws(LoupeError) -> Value {
        try enterNesting(at: expression.span)
        defer { depth -= 1 }
        switch expression.kind {
        case .number(let n): return .number(n)
        case .size(let w, let h): return .size(width: w, height: h)
        case .bool(let b): return .bool(b)
        case .none: return .none
        case .string(let segments):
            var text = ""
            for segment in segments {
                switch segment {
                case .text(let t): text += t
                case .expression(let e): text += try evaluate(e).display
                }
            }
            return .string(text)
        case .name(let name):
            return try lookUp(name, at: expression.span)
        case .list(let items):
            var values: [Value] = []
            for item in items { values.append(try evaluate(item)) }
            return .list(values)
        case .tuple(let items):
            var values: [Value] = []
            for item in items { values.append(try evaluate(item)) }
            return .tuple(values)
        case .attribute(let base, let name, let nameSpan):
            return try attribute(name, of: try evaluate(base), base: base, at: nameSpan)
        case .index(let base, let index):
            return try subscripted(try evaluate(base), by: try evaluate(index), base: base, indexExpression: index)
        case .unary(let op, let operand):
            let value = try evaluate(operand)
            switch op {
            case .not: return .bool(!value.isTruthy)
            case .negate:
                guard case .number(let n) = value else {
                    throw fail("'-' needs a number, but this is \(value.kindWithArticle)", at: operand.span)
                }
                return .number(-n)
            }
        case .binary(let op, let left, let right, let operatorSpan):
            return try binary(op, left, right, at: operatorSpan)
        case .command(let call):
            return try runCommand(call)
        }
    }

    func lookUp(_ name: String, at span: SourceSpan) throws(LoupeError) -> Value {
        if let value = session.value(of: name) { return value }
        if name == "_" { throw fail("'_' has no value yet: it holds the last result", at: span) }
        if interpreter.registry[name] != nil {
            throw fail("'\(name)' is a command: call it as a statement, or in parentheses as in (\(name) ...)", at: span)
        }
        let candidates = session.variables.keys.sorted() + interpreter.registry.commandNames.sorted()
        throw fail("unknown name '\(name)'" + Suggestions.didYouMean(name, among: candidates), at: span)
    }

    func attribute(_ name: String, of value: Value, base: Expression, at span: SourceSpan) throws(LoupeError) -> Value {
        let found: Value?
        switch (value, name) {
        case (.list(let items), "count"), (.tuple(let items), "count"): found = .integer(items.count)
        case (.list(let items), "first"), (.tuple(let items), "first"): found = items.first ?? Value.none
        case (.list(let items), "last"), (.tuple(let items), "last"): found = items.last ?? Value.none
        case (.string(let s), "count"): found = .integer(s.count)
        case (.size(let w, _), "width"): found = .integer(w)
        case (.size(_, let h), "height"): found = .integer(h)
        case (.table(let table), "count"): found = .integer(table.rows.count)
        case (.table(let table), "columns"): found = .list(table.columns.map { .string($0) })
        case (.table(let table), _): found = table.column(name).map { .list($0) }
        case (.object(let object), _): found = object.attribute(named: name)
        default: found = nil
        }
        if let found { return found }
        if value.isNone {
            throw fail("'\(source.slice(expression: base))' is none, so it has no '\(name)'", at: span)
        }
        let names = value.attributeNames
        let known = names.isEmpty ? "" : " (it has: \(names.joined(separator: ", ")))"
        let hint = Suggestions.closest(to: name, among: names).map { " (did you mean '\($0)'?)" } ?? known
        throw fail("\(value.kindWithArticle) has no attribute '\(name)'\(hint)", at: span)
    }

    func subscripted(_ value: Value, by index: Value, base: Expression, indexExpression: Expression) throws(LoupeError) -> Value {
        let items: [Value]
        switch value {
        case .list(let values), .tuple(let values): items = values
        case .table(let table): items = table.rows.map { .list($0) }
        default:
            throw fail("\(value.kindWithArticle) cannot be indexed; lists, tuples and tables can", at: base.span)
        }
        guard case .number(let n) = index, n == n.rounded(), abs(n) < 1e15 else {
            throw fail("an index must be a whole number, not \(index.literal)", at: indexExpression.span)
        }
        let i = Int(n)
        let position = i < 0 ? items.count + i : i
        guard position >= 0, position < items.count else {
            throw fail("index \(i) is out of range: the \(value.kind) has \(items.count) item\(items.count == 1 ? "" : "s")",
                       at: indexExpression.span)
        }
        return items[position]
    }

    mutating func binary(_ op: BinaryOperator, _ leftExpression: Expression, _ rightExpression: Expression,
                         at span: SourceSpan) throws(LoupeError) -> Value {
        let left = try evaluate(leftExpression)
        switch op {
        case .and: return left.isTruthy ? try evaluate(rightExpression) : left
        case .or: return left.isTruthy ? left : try evaluate(rightExpression)
        default: break
        }
        let right = try evaluate(rightExpression)
        switch (op, left, right) {
        case (.equal, _, _): return .bool(left.isEqual(to: right))
        case (.notEqual, _, _): return .bool(!left.isEqual(to: right))
        case (.add, .number(let a), .number(let b)): return .number(a + b)
        case (.subtract, .number(let a), .number(let b)): return .number(a - b)
        case (.multiply, .number(let a), .number(let b)): return .number(a * b)
        case (.divide, .number(let a), .number(let b)):
            if b == 0 { throw fail("division by zero", at: span) }
            return .number(a / b)
        case (.add, .string(let a), _): return .string(a + right.display)
        case (.add, _, .string(let b)): return .string(left.display + b)
        case (.add, .list(let a), .list(let b)): return .list(a + b)
        case (.less, .number(let a), .number(let b)): return .bool(a < b)
        case (.lessEqual, .number(let a), .number(let b)): return .bool(a <= b)
        case (.greater, .number(let a), .number(let b)): return .bool(a > b)
        case (.greaterEqual, .number(let a), .number(let b)): return .bool(a >= b)
        case (.less, .string(let a), .string(let b)): return .bool(a < b)
        case (.lessEqual, .string(let a), .string(let b)): return .bool(a <= b)
        case (.greater, .string(let a), .string(let b)): return .bool(a > b)
        case (.greaterEqual, .string(let a), .string(let b)): return .bool(a >= b)
        default:
            throw fail("'\(op.rawValue)' cannot combine \(left.kindWithArticle) and \(right.kindWithArticle)", at: span)
        }
    }
}

extension SourceFile {
    /// The text of an expression on its line, for messages that quote it.
    func slice(expression: Expression) -> String {
        let text = line(expression.span.start.line)
        let start = text.index(text.startIndex, offsetBy: min(text.count, expression.span.start.column - 1))
        let end = text.index(start, offsetBy: min(text.distance(from: start, to: text.endIndex), expression.span.length))
        return String(text[start..<end])
    }
}
