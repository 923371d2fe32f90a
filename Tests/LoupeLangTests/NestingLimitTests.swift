import Foundation
import LoupeLang
import XCTest

/// Deep nesting is refused with a located message instead of overflowing the stack (issue 13, class 2).
final class NestingLimitTests: XCTestCase {
    let interpreter = Interpreter(registry: ToyCommands.registry())

    func run(_ text: String, name: String = "deep.loupe") -> (output: String, error: LoupeError?) {
        var session = Session()
        var output = ""
        let context = RunContext(output: { output += $0 }, showsExpressionValues: false)
        do {
            try interpreter.run(SourceFile(name: name, text: text), in: &session, context: context)
            return (output, nil)
        } catch {
            return (output, error)
        }
    }

    func assertRefused(_ text: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let result = run(text)
        guard let error = result.error else { return XCTFail("\(what): no error", file: file, line: line) }
        XCTAssertTrue("\(error)".contains("deep.loupe:"), "\(what): \(error)", file: file, line: line)
        XCTAssertTrue(error.message.contains("nested more than 200 levels deep"), "\(what): \(error.message)", file: file, line: line)
    }

    func testThousandsOfBrackets() {
        let n = 5_000
        assertRefused("print " + String(repeating: "(", count: n) + "1" + String(repeating: ")", count: n), "parentheses")
        assertRefused("print " + String(repeating: "[", count: n) + "1" + String(repeating: "]", count: n), "lists")
    }

    func testThousandsOfIfBlocks() {
        let n = 3_000
        assertRefused(String(repeating: "if true {\n", count: n) + "print 1\n" + String(repeating: "}\n", count: n), "if blocks")
    }

    func testThousandsOfNotsAndMinusesAndOperators() {
        assertRefused("print " + String(repeating: "not ", count: 10_000) + "true", "not")
        assertRefused("print " + String(repeating: "-", count: 10_000) + "1", "minus")
        assertRefused("print 1" + String(repeating: " + 1", count: 10_000), "a chain of additions")
        assertRefused("x = [1]\nprint x" + String(repeating: "[0]", count: 10_000), "a chain of indexes")
    }

    func testNestedInterpolations() {
        var text = "1"
        for _ in 0..<300 { text = "\"{" + text + "}\"" }
        assertRefused("print " + text, "strings inside interpolations")
    }

    func testNestingBelowTheLimitRuns() {
        let n = 150
        XCTAssertEqual(run("print " + String(repeating: "(", count: n) + "7" + String(repeating: ")", count: n)).output, "7\n")
        XCTAssertEqual(run(String(repeating: "if true {\n", count: 60) + "print 2\n" + String(repeating: "}\n", count: 60)).output, "2\n")
        XCTAssertEqual(run("print 1" + String(repeating: " + 1", count: 150)).output, "151\n")
    }

    /// A script that sources itself stops at 32 levels with a message naming the file.
    func testScriptThatSourcesItself() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-self-\(UUID().uuidString).loupe").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "print 1\nsource \"\(path)\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = run("source \"\(path)\"")
        guard let error = result.error else { return XCTFail("no error") }
        XCTAssertTrue(error.message.contains("'source' nested more than 32 scripts deep"), error.message)
        XCTAssertTrue(error.message.contains(path), error.message)
        XCTAssertEqual(result.output, String(repeating: "1\n", count: 32))
    }

    /// Blocks that each `source` a script nested as deep as the parser allows add up: the
    /// evaluator's count runs across scripts, so the stack stays bounded.
    func testNestingAddsUpAcrossSource() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-deep-\(UUID().uuidString).loupe").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let blocks = 90
        let text = String(repeating: "if true {\n", count: blocks) + "source \"\(path)\"\n" + String(repeating: "}\n", count: blocks)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let result = run("source \"\(path)\"")
        guard let error = result.error else { return XCTFail("no error") }
        XCTAssertTrue(error.message.contains("nested more than 250 levels deep"), error.message)
    }
}
