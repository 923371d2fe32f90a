import LoupeBase

/// Command calls: binding arguments to the declared parameters, then running the command.
extension Evaluator {
    mutating func runCommand(_ call: CommandCall, resultIsShown: Bool = false) throws(LoupeError) -> Value {
        guard let spec = interpreter.registry[call.name] else {
            throw fail("unknown command '\(call.name)'" + Suggestions.didYouMean(call.name, among: interpreter.registry.commandNames.sorted()),
                       at: call.nameSpan)
        }
        let arguments = try bind(call, to: spec)
        let invocation = CommandInvocation(arguments: arguments, session: session, context: context, call: call,
                                           source: source, interpreter: interpreter)
        invocation.resultIsShown = resultIsShown
        let value: Value
        do {
            value = try spec.run(invocation)
        } catch let error as LoupeError {
            throw error
        } catch let error as any LoupeReportableError {
            let span = error.parameter.flatMap { arguments.spans[$0] } ?? call.nameSpan
            let diagnostic = Diagnostic("\(call.name): \(error.userMessage)", at: span, in: source)
            switch error.failureKind {
            case .runtime: throw .runtime(diagnostic)
            case .unreadableFile: throw .unreadableFile(diagnostic)
            case .interrupted: throw .interrupted(diagnostic)
            }
        } catch {
            throw fail("\(call.name): \(error)", at: call.nameSpan)
        }
        session = invocation.session
        if !invocation.replayArguments.isEmpty { replayArguments = (call, invocation.replayArguments) }
        return value
    }

    /// Checks every argument against the declaration and fills in defaults.
    mutating func bind(_ call: CommandCall, to spec: CommandSpec) throws(LoupeError) -> Arguments {
        var values: [String: Value] = [:]
        var given: Set<String> = []
        let positional = spec.parameters.filter(\.isPositional)
        var nextPositional = 0
        var variadic: [Value] = []
        var sawKeyword = false
        var spans: [String: SourceSpan] = [:]

        for argument in call.arguments {
            if let label = argument.label {
                guard let parameter = spec.parameter(named: label) else {
                    let names = spec.parameters.map(\.name)
                    let hint = Suggestions.closest(to: label, among: names).map { " (did you mean '\($0)'?)" }
                        ?? (names.isEmpty ? " ('\(spec.name)' takes no parameters)" : " (parameters: \(names.joined(separator: ", ")))")
                    throw fail("unknown parameter '\(label)' for '\(spec.name)'\(hint)", at: argument.span)
                }
                if given.contains(label) {
                    throw fail("'\(label)' is given twice", at: argument.span)
                }
                values[label] = Self.expandingHome(try coerce(argument.value, to: parameter, of: spec), for: parameter)
                spans[label] = argument.value.span
                given.insert(label)
                sawKeyword = true
                continue
            }
            if case .name(let word) = argument.value.kind, let flag = spec.parameter(named: word),
               flag.type == .bool, !flag.isPositional {
                if given.contains(word) { throw fail("'\(word)' is given twice", at: argument.span) }
                values[word] = .bool(true)
                spans[word] = argument.span
                given.insert(word)
                continue
            }
            // Bare flags may follow key=value arguments (`augment d rotate=10 flip_h`); values may not.
            if sawKeyword {
                throw fail("positional arguments come before key=value arguments", at: argument.span)
            }
            while nextPositional < positional.count, given.contains(positional[nextPositional].name),
                  !positional[nextPositional].isVariadic {
                nextPositional += 1
            }
            guard nextPositional < positional.count else {
                throw fail("too many arguments for '\(spec.name)'; usage: \(spec.usage)", at: argument.span)
            }
            let parameter = positional[nextPositional]
            let value = Self.expandingHome(try coerce(argument.value, to: parameter, of: spec), for: parameter)
            if parameter.isVariadic {
                variadic.append(value)
                values[parameter.name] = .list(variadic)
            } else {
                values[parameter.name] = value
                nextPositional += 1
            }
            given.insert(parameter.name)
            spans[parameter.name] = spans[parameter.name] ?? argument.value.span
        }

        for parameter in spec.parameters where values[parameter.name] == nil {
            if parameter.isRequired {
                throw fail("'\(spec.name)' needs \(parameter.name.uppercased()) (\(parameter.type.description)); usage: \(spec.usage)",
                           at: call.nameSpan)
            }
            values[parameter.name] = parameter.defaultValue ?? Value.none
        }
        var arguments = Arguments(values: values, given: given)
        arguments.spans = spans
        return arguments
    }

    /// Parameters that name files and folders: a leading `~` or `~/` in their strings means the
    /// home folder, as in a shell (`source "~/setup.loupe"`, `predict m "~/incoming"`).
    static let pathParameters: Set<String> = ["file", "folder", "dir", "path", "to", "labels"]

    static func expandingHome(_ value: Value, for parameter: Parameter) -> Value {
        guard pathParameters.contains(parameter.name), case .string(let text) = value, text.hasPrefix("~") else { return value }
        return .string(HomePath.expand(text))
    }

    /// The argument's value, checked against the parameter's type. Bare words become choices.
    mutating func coerce(_ expression: Expression, to parameter: Parameter, of spec: CommandSpec) throws(LoupeError) -> Value {
        let type = parameter.type
        let choices = type.choices
        if case .name(let word) = expression.kind {
            if type == .word { return .string(word) }
            if choices.contains(word) { return .string(word) }
            if !choices.isEmpty, session.value(of: word) == nil {
                throw fail("'\(word)' is not a valid value for '\(parameter.name)' of '\(spec.name)': expected \(type.description)"
                           + Suggestions.didYouMean(word, among: choices), at: expression.span)
            }
        }
        if case .none = expression.kind, choices.contains("none") { return .string("none") }
        let value = try evaluate(expression)
        if type.accepts(value) { return value }
        if case .string(let text) = value, !choices.isEmpty {
            throw fail("\"\(text)\" is not a valid value for '\(parameter.name)' of '\(spec.name)': expected \(type.description)"
                       + Suggestions.didYouMean(text, among: choices), at: expression.span)
        }
        let got = value.isNone ? "none" : "\(value.summary) (\(value.kindWithArticle))"
        throw fail("'\(parameter.name)' of '\(spec.name)' expects \(type.description), got \(got)", at: expression.span)
    }
}
