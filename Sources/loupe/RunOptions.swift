/// The options of `loupe run FILE [--notebook OUT.html|OUT.ipynb] [--seed N] [--workdir DIR] [--quiet]`.
/// FILE `-` is standard input (as `loupe < FILE`, with the options).
struct RunOptions: Equatable {
    var file: String
    var notebook: String?
    var seed: UInt64?
    var workdir: String?
    var quiet = false

    static let usage = "usage: loupe run FILE|- [--notebook OUT.html|OUT.ipynb] [--seed N] [--workdir DIR] [--quiet]"

    /// A usage mistake, reported with exit code 64.
    struct UsageError: Error {
        var message: String
    }

    /// Parses options in any order; `--name=value` and `--name value` both work.
    static func parse(_ arguments: [String]) throws(UsageError) -> RunOptions {
        var file: String?
        var options = RunOptions(file: "")
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            guard argument.hasPrefix("--"), argument.count > 2 else {
                guard file == nil else { throw UsageError(message: "one script at a time: '\(file!)' and '\(argument)'") }
                file = argument
                continue
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            func value() throws(UsageError) -> String {
                if let inlineValue { return inlineValue }
                guard let next = rest.popFirst() else { throw UsageError(message: "--\(name) needs a value") }
                return next
            }
            switch name {
            case "notebook": options.notebook = try value()
            case "workdir": options.workdir = try value()
            case "seed":
                let text = try value()
                guard let seed = UInt64(text) else { throw UsageError(message: "--seed needs a whole number from 0, not '\(text)'") }
                options.seed = seed
            case "quiet":
                guard inlineValue == nil else { throw UsageError(message: "--quiet takes no value") }
                options.quiet = true
            default:
                let known = ["notebook", "seed", "workdir", "quiet"]
                let hint = known.first { $0.hasPrefix(name) || name.hasPrefix($0) }.map { " (did you mean --\($0)?)" } ?? ""
                throw UsageError(message: "unknown option '--\(name)'\(hint)")
            }
        }
        guard let file else { throw UsageError(message: "which script? give a .loupe file, or - for standard input") }
        options.file = file
        return options
    }
}
