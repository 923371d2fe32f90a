import Foundation

/// Tab completion from the command declarations and the session: command names, parameter
/// names of the command being typed, choice values, variables and their attributes, and
/// file paths inside strings. The REPL's readline bridge asks it; it is pure and testable.
public struct Completer {
    public let registry: CommandRegistry
    public let session: Session

    public init(registry: CommandRegistry, session: Session) {
        self.registry = registry
        self.session = session
    }

    public struct Result: Equatable {
        /// Full replacements for the word, sorted.
        public var candidates: [String]
        /// Whether a space should follow a single completion (not after `key=`, a folder, or `.`).
        public var appendSpace: Bool
        /// Whether a single completion ends the string it is in (a file, not a folder).
        public var closesString = false

        public init(candidates: [String], appendSpace: Bool, closesString: Bool = false) {
            self.candidates = candidates
            self.appendSpace = appendSpace
            self.closesString = closesString
        }
    }

    /// Characters that end a word for completion; `.` is not one, so `d.tr` completes as a whole.
    public static let wordBreakCharacters = " \t\n\"=()[],+-*/<>{}?"

    /// Candidates for `word`, the text being completed, given the line before it.
    public func complete(before: String, word: String) -> Result {
        if let opened = openStringText(before) {
            // readline may start the word after a break character such as the leading `/` of an
            // absolute path; the path is everything since the opening quote, and the candidates
            // replace only the word.
            let result = paths(for: opened + word)
            return Result(candidates: result.candidates.map { String($0.dropFirst(opened.count)) },
                          appendSpace: result.appendSpace, closesString: result.closesString)
        }
        if word.contains(".") { return attributes(for: word) }

        let statement = currentStatement(before)
        var words = statement.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if words.count >= 2, words[1] == "=" { words.removeFirst(2) }
        if words.first?.hasSuffix("=") == true, words.first!.count > 1, registry[words[0]] == nil {
            words.removeFirst()
        }

        if before.hasSuffix("="), let command = words.first.flatMap({ registry[$0] }) {
            let key = String(before.dropLast().reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" }.reversed())
            if let parameter = command.parameter(named: key) { return values(for: parameter, word: word) }
        }
        guard let first = words.first else {
            let keywords = ["print", "for", "if", "time"]
            return finish(registry.commandNames.sorted() + variableNames() + keywords, word: word)
        }
        if first == "help" || first == "?" {
            return finish(registry.commandNames.sorted() + registry.kinds.keys.sorted() + HelpText.syntax.map(\.name), word: word)
        }
        if let command = registry[first] {
            var candidates: [String] = []
            for parameter in command.parameters where !statement.contains(parameter.name + "=") {
                if parameter.type == .bool && !parameter.isPositional {
                    if !words.dropFirst().contains(parameter.name) { candidates.append(parameter.name) }
                } else {
                    candidates.append(parameter.name + "=")
                }
            }
            return finish(candidates + variableNames(), word: word)
        }
        return finish(variableNames(), word: word)
    }

    func variableNames() -> [String] { session.variables.keys.sorted() }

    /// The text after the last `{` or `}`: statements inside blocks complete like top-level ones.
    func currentStatement(_ before: String) -> String {
        guard let brace = before.lastIndex(where: { $0 == "{" || $0 == "}" }) else { return before }
        return String(before[before.index(after: brace)...])
    }

    func isInsideString(_ before: String) -> Bool { openStringText(before) != nil }

    /// The text typed so far in a string that `before` leaves open, or nil outside strings.
    func openStringText(_ before: String) -> String? {
        var inside = false
        var escaped = false
        var start = before.startIndex
        for i in before.indices {
            let c = before[i]
            if escaped { escaped = false; continue }
            if c == "\\" && inside { escaped = true; continue }
            if c == "\"" { inside.toggle(); start = before.index(after: i) }
        }
        return inside ? String(before[start...]) : nil
    }

    func values(for parameter: Parameter, word: String) -> Result {
        let choices = parameter.type.choices
        if !choices.isEmpty && !kinds(of: parameter.type).isEmpty {
            return finish(choices + variables(ofKinds: kinds(of: parameter.type)), word: word)
        }
        if !choices.isEmpty { return finish(choices, word: word) }
        let wanted = kinds(of: parameter.type)
        return finish(wanted.isEmpty ? variableNames() : variables(ofKinds: wanted), word: word)
    }

    func kinds(of type: ParameterType) -> [String] {
        switch type {
        case .kind(let kind): return [kind]
        case .oneOf(let types): return types.flatMap(kinds(of:))
        default: return []
        }
    }

    func variables(ofKinds kinds: [String]) -> [String] {
        session.variables.filter { kinds.contains($0.value.kind) }.keys.sorted()
    }

    func finish(_ candidates: [String], word: String) -> Result {
        var seen = Set<String>()
        let matches = candidates.filter { $0.hasPrefix(word) && seen.insert($0).inserted }.sorted()
        let single = matches.count == 1 ? matches[0] : ""
        // A variable with attributes is often followed by `.`, so no space after it.
        let hasAttributes = !(session.value(of: single)?.attributeNames.isEmpty ?? true)
        return Result(candidates: matches, appendSpace: !(single.hasSuffix("=") || single.hasSuffix("/") || hasAttributes))
    }

    /// `d.tr` → `d.train`: evaluates the part before the last dot when it is only names and
    /// attributes (never a command), and lists the value's attributes.
    func attributes(for word: String) -> Result {
        guard let dot = word.lastIndex(of: ".") else { return Result(candidates: [], appendSpace: true) }
        let base = String(word[..<dot])
        let prefix = String(word[word.index(after: dot)...])
        let source = SourceFile(name: "<completion>", text: base)
        guard let tokens = try? Lexer.tokenize(source),
              tokens.allSatisfy({ if case .name = $0.kind { true } else { $0.kind == .dot || $0.kind == .newline || $0.kind == .end } })
        else { return Result(candidates: [], appendSpace: true) }
        var parser = Parser(tokens: tokens, source: source, commandNames: [])
        guard let expression = try? parser.expression() else { return Result(candidates: [], appendSpace: true) }
        var evaluator = Evaluator(interpreter: Interpreter(registry: registry), source: source,
                                  context: RunContext(output: { _ in }, showsExpressionValues: false), session: session)
        guard let value = try? evaluator.evaluate(expression) else { return Result(candidates: [], appendSpace: true) }
        let names = value.attributeNames.filter { $0.hasPrefix(prefix) }.sorted()
        return Result(candidates: names.map { base + "." + $0 }, appendSpace: true)
    }

    /// Files and folders (folders end with `/`); a single file also closes the string (the
    /// line editor adds the quote).
    func paths(for word: String) -> Result {
        let slash = word.lastIndex(of: "/")
        let folder = slash.map { String(word[...$0]) } ?? ""
        let namePrefix = slash.map { String(word[word.index(after: $0)...]) } ?? word
        var listed = folder.isEmpty ? "." : folder
        if listed.hasPrefix("~") { listed = HomePath.expand(listed) }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: listed) else {
            return Result(candidates: [], appendSpace: false)
        }
        var candidates: [String] = []
        for name in names.sorted() where name.hasPrefix(namePrefix) && (namePrefix.hasPrefix(".") || !name.hasPrefix(".")) {
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: (listed as NSString).appendingPathComponent(name), isDirectory: &isFolder)
            candidates.append(folder + name + (isFolder.boolValue ? "/" : ""))
        }
        if candidates.count == 1, !candidates[0].hasSuffix("/") {
            return Result(candidates: candidates, appendSpace: true, closesString: true)
        }
        return Result(candidates: candidates, appendSpace: false)
    }
}
