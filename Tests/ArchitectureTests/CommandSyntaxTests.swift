import Foundation
import LoupeCommands
import TestSupport
import XCTest

/// The layers below LoupeCommands report facts and typed causes; what a user types about them
/// (`reset_head m classes=d`, `run lr_range`) is worded in LoupeCommands alone (Remedies.swift),
/// so a renamed command or parameter cannot leave stale advice in the engine, data or workflow.
final class CommandSyntaxTests: XCTestCase {
    static let lowerModules = ["LoupeBase", "HTMLPages", "TensorCore", "Imaging", "Pretrained", "NeuralNet", "Datasets", "Plotting",
                               "LoupeMPI", "Workflow", "ONNXExport"]

    func testNoLayerBelowTheCommandsWritesCommandSyntax() throws {
        let registry = makeCommandRegistry()
        // Command names with an underscore cannot be ordinary words; `name=` is a parameter given
        // (`class=\"` is an HTML attribute in a Swift string, not Loupe).
        let commands = registry.commandNames.filter { $0.contains("_") }.sorted()
        let parameters = Set(registry.commandNames.flatMap { registry[$0]!.parameters.map(\.name) }).sorted()
        XCTAssertTrue(commands.contains("reset_head") && parameters.contains("classes"), "read the registry")
        let syntax = try NSRegularExpression(pattern: #"(?<![\w\\)])(?:(?:"# + commands.joined(separator: "|") + #")\b|(?:"#
                                             + parameters.joined(separator: "|") + #")=(?!=|\\"))"#)
        let literal = try NSRegularExpression(pattern: #""(?:[^"\\\n]|\\.)*""#)
        var found: [String] = []
        let sources = PackagePaths.root.appendingPathComponent("Sources")
        for module in Self.lowerModules {
            guard let files = FileManager.default.enumerator(atPath: sources.appendingPathComponent(module).path) else { continue }
            for case let file as String in files where file.hasSuffix(".swift") {
                let text = try String(contentsOf: sources.appendingPathComponent(module).appendingPathComponent(file), encoding: .utf8)
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let code = String(line)
                    if code.trimmingCharacters(in: .whitespaces).hasPrefix("//") { continue }
                    for m in literal.matches(in: code, range: NSRange(code.startIndex..., in: code)) {
                        let s = String(code[Range(m.range, in: code)!])
                        guard s.contains(" "), syntax.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil else { continue }
                        found.append("Sources/\(module)/\(file):\(number + 1): \(s.prefix(120))")
                    }
                }
            }
        }
        XCTAssertEqual(found, [], "command syntax below LoupeCommands (word the remedy in Sources/LoupeCommands/Remedies.swift):\n"
                       + found.joined(separator: "\n"))
    }
}
