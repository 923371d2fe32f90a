import LoupeLang

/// `loupe help [COMMAND]`: the same text as `help` inside the REPL.
struct HelpCommand {
    let interpreter: Interpreter

    func run(arguments: [String]) -> Int32 {
        guard arguments.count <= 1 else {
            Output.err("loupe: help takes one name at most\nusage: loupe help [COMMAND]\n")
            return 64
        }
        do {
            let text = try HelpText(registry: interpreter.registry, session: Session()).text(for: arguments.first)
            Output.out(text + "\n")
            return 0
        } catch {
            Output.err("loupe: \(error.message)\n")
            return 64
        }
    }
}
