import Foundation
import LoupeLang
import Plotting

/// Output that depends on how a command was written: figures printed once, hints that name the
/// user's own variable.
extension DataCommands {
    /// Writes a figure, shows it, and returns it as a value (which the interpreter then does not
    /// show again).
    static func writeFigure(_ figure: any Figure, to path: String, title: String, call: CommandInvocation) throws -> Value {
        if call.writesFiles { do { try figure.write(to: path) } catch {
            throw CommandError.invalidArgument(parameter: call.arguments.isGiven("to") ? "to" : "d", message: "cannot write \(path): \(error)")
        } }
        call.showFigure(path, title: title)
        return .object(FigureValue(path: path, title: title))
    }

    /// The variable a call's result is assigned to (`b = dataset …` → "b"), else `fallback`;
    /// used to name attributes in hints ("b.unreadable").
    static func assignedName(_ call: CommandInvocation, fallback: String) -> String {
        let start = call.call.nameSpan.start
        let prefix = String(call.source.line(start.line).prefix(max(0, start.column - 1)))
        guard let eq = prefix.lastIndex(of: "=") else { return fallback }
        let name = prefix[..<eq].trimmingCharacters(in: .whitespaces)
        let valid = !name.isEmpty && !name.first!.isNumber && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
        return valid && prefix[prefix.index(after: eq)...].allSatisfy(\.isWhitespace) ? name : fallback
    }

    /// True when the call is a statement of its own, whose result the interpreter prints (not
    /// `f = show d`), read from the text before the command name on its line.
    static func resultIsShown(_ call: CommandInvocation) -> Bool { call.resultIsShown }
}
