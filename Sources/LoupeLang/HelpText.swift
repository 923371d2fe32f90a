import LoupeBase

/// The text of `help`, `help NAME` and `? NAME`, generated from the command declarations.
public struct HelpText {
    let registry: CommandRegistry
    let session: Session

    public init(registry: CommandRegistry, session: Session) {
        self.registry = registry
        self.session = session
    }

    /// Language forms that are not commands but have help.
    static let syntax: [(name: String, usage: String, text: String)] = [
        ("print", "print EXPRESSION...", "writes the values, separated by spaces: print \"best\" r.best"),
        ("for", "for NAME in LIST { ... }", "runs the block once per item: for lr in [0.1, 0.01] { print lr }"),
        ("if", "if CONDITION { ... } else { ... }", "runs one block: if e.accuracy > 0.9 { print \"good\" }"),
        ("time", "time STATEMENT", "runs the statement and prints its wall time: time sleep 1"),
        ("?", "? NAME", "the same as help NAME"),
    ]

    /// Help for `name`, or the overview when `name` is nil.
    /// - Throws: an error with a suggestion when `name` is neither a command, a kind, a
    ///   language keyword nor a variable.
    public func text(for name: String?, at span: SourceSpan? = nil, in source: SourceFile? = nil) throws(LoupeError) -> String {
        guard let name else { return overview() }
        var sections: [String] = []
        if let spec = registry[name] { sections.append(command(spec)) }
        if let doc = registry.kinds[name] { sections.append(kind(doc)) }
        if let form = HelpText.syntax.first(where: { $0.name == name }) {
            sections.append("\(form.usage)\n  \(form.text)")
        }
        if sections.isEmpty, let value = session.value(of: name) {
            sections.append(variable(name, value))
        }
        if sections.isEmpty {
            let all = registry.commandNames.sorted() + registry.kinds.keys.sorted() + HelpText.syntax.map(\.name)
            let message = "no help for '\(name)'" + Suggestions.didYouMean(name, among: all)
            let file = source ?? SourceFile(name: "<help>", text: "")
            throw .runtime(Diagnostic(message, at: span, in: file))
        }
        return sections.joined(separator: "\n\n")
    }

    func overview() -> String {
        var lines = ["Commands by task (help NAME for one command, help KIND for a value's attributes):"]
        for group in registry.groupOrder {
            let commands = registry.commands(inGroup: group)
            guard !commands.isEmpty else { continue }
            lines.append("")
            lines.append(group)
            let width = commands.map(\.name.count).max() ?? 0
            for spec in commands {
                lines.append("  " + spec.name.padding(width) + "  " + spec.summary)
            }
        }
        lines.append("")
        lines.append("Language")
        let width = HelpText.syntax.map(\.usage.count).max() ?? 0
        for form in HelpText.syntax { lines.append("  " + form.usage.padding(width) + "  " + form.text) }
        if !registry.kinds.isEmpty {
            lines.append("")
            lines.append("Value kinds: " + registry.kinds.keys.sorted().joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    func command(_ spec: CommandSpec) -> String {
        var lines = ["\(spec.name) — \(spec.summary)", "", "usage: \(spec.usage)"]
        if !spec.parameters.isEmpty {
            lines.append("")
            lines.append("parameters:")
            let nameWidth = spec.parameters.map(\.name.count).max() ?? 0
            let typeWidth = spec.parameters.map(\.type.shortName.count).max() ?? 0
            for p in spec.parameters {
                var note = p.help
                if p.isRequired {
                    note += " (required)"
                } else if let value = p.defaultValue, let text = p.defaultText,
                          !(p.type == .bool && !p.isPositional && value.isEqual(to: .bool(false))) {
                    note += " (default \(text))"
                }
                lines.append("  " + p.name.padding(nameWidth) + "  " + p.type.shortName.padding(typeWidth) + "  " + note)
            }
        }
        lines.append("")
        lines.append("result: \(spec.result)")
        lines.append("example:")
        lines.append("  \(spec.example)")
        return lines.joined(separator: "\n")
    }

    func kind(_ doc: KindDoc) -> String {
        var lines = ["\(doc.kind) — \(doc.summary)"]
        if !doc.attributes.isEmpty {
            lines.append("attributes:")
            let width = doc.attributes.map(\.name.count).max() ?? 0
            for attribute in doc.attributes { lines.append("  " + attribute.name.padding(width) + "  " + attribute.help) }
        }
        return lines.joined(separator: "\n")
    }

    func variable(_ name: String, _ value: Value) -> String {
        var text = "\(name): \(value.kindWithArticle) — \(value.summary)"
        if let doc = registry.kinds[value.kind] {
            text += "\n\n" + kind(doc)
        } else if !value.attributeNames.isEmpty {
            text += "\nattributes: " + value.attributeNames.joined(separator: ", ")
        }
        return text
    }
}

extension String {
    /// The string padded with spaces to `width` characters.
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
