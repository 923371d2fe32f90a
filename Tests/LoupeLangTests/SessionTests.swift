import Foundation
import LoupeLang
import XCTest
import LoupeBase

/// Sessions: failed statements change nothing; the history replays; `_`; interruption.
final class SessionTests: XCTestCase {
    let interpreter = Interpreter(registry: ToyCommands.registry())

    func run(_ text: String, in session: inout Session, repl: Bool = true) -> (output: String, error: LoupeError?) {
        var output = ""
        let context = RunContext(output: { output += $0 }, showsExpressionValues: repl)
        let source = SourceFile(name: "<stdin>", text: text)
        do {
            for statement in try interpreter.parse(source) {
                try interpreter.execute(statement, from: source, in: &session, context: context)
            }
            return (output, nil)
        } catch {
            return (output, error)
        }
    }

    func testFailingStatementChangesNothing() {
        var session = Session()
        _ = run("x = 1\nseed 5", in: &session)
        let failed = run("for v in [1, 0] { x = x + 1 / v }", in: &session)
        XCTAssertEqual(failed.error?.message, "division by zero")
        guard case .number(let x)? = session.variables["x"] else { return XCTFail("x is gone") }
        XCTAssertEqual(x, 1)
        XCTAssertEqual(session.history.map(\.text), ["x = 1", "seed 5"])
        XCTAssertEqual(session.seed, 5)
        _ = run("y = 2\nseed -1", in: &session)
        XCTAssertEqual(session.seed, 5, "a command that throws keeps the old seed")
        XCTAssertNotNil(session.variables["y"], "statements before the failing one stay")
    }

    func testPathParametersExpandTheHomeFolder() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-home-\(getpid())")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        try "y = 42\n".write(to: home.appendingPathComponent("setup.loupe"), atomically: true, encoding: .utf8)
        let previous = ProcessInfo.processInfo.environment["HOME"]
        setenv("HOME", home.path, 1)
        defer { if let previous { setenv("HOME", previous, 1) } else { unsetenv("HOME") } }
        var session = Session()
        let result = run("source \"~/setup.loupe\"", in: &session)
        XCTAssertNil(result.error, result.error?.message ?? "")
        guard case .number(let y)? = session.variables["y"] else { return XCTFail("source did not run ~/setup.loupe") }
        XCTAssertEqual(y, 42)
    }

    func testUnderscoreAndReplayOfShownExpressions() {
        var session = Session(seed: 9)
        let shown = run("x = 20\nx * 2\n_ + 1", in: &session)
        XCTAssertEqual(shown.output, "40\n41\n")
        XCTAssertEqual(session.replayScript(), "# Loupe session\nseed 9\nx = 20\nprint x * 2\nprint _ + 1\n")
        var replayed = Session()
        let again = run(session.replayScript(), in: &replayed, repl: false)
        XCTAssertNil(again.error)
        XCTAssertEqual(again.output, shown.output)
    }

    func testIntrospectionCommandsStayOutOfHistory() {
        var session = Session()
        _ = run("x = 1\nvars\nhistory\nhelp seed\nx", in: &session)
        XCTAssertEqual(session.history.map(\.text), ["x = 1", "x"])
    }

    func testInterruptionStopsSleepAndKeepsSession() throws {
        var session = Session()
        _ = run("keep = 7", in: &session)
        let flag = InterruptFlag()
        let context = RunContext(output: { _ in }, interruption: flag, showsExpressionValues: true)
        let source = SourceFile(name: "<stdin>", text: "keep = 8\nsleep 30")
        let statements = try interpreter.parse(source)
        var working = session
        try interpreter.execute(statements[0], from: source, in: &working, context: context)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { flag.request() }
        let start = Date()
        XCTAssertThrowsError(try interpreter.execute(statements[1], from: source, in: &working, context: context)) { error in
            guard case LoupeError.interrupted = error else { return XCTFail("expected an interruption, got \(error)") }
            XCTAssertEqual((error as? LoupeError)?.exitCode, 130)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 2, "sleep polls the flag")
        guard case .number(let keep)? = working.variables["keep"] else { return XCTFail("keep is gone") }
        XCTAssertEqual(keep, 8, "statements before the interrupted one stay")
    }

    func testNeedsMoreInput() {
        XCTAssertTrue(Lexer.needsMoreInput("x = [1,"))
        XCTAssertTrue(Lexer.needsMoreInput("x = 1 + \\"))
        XCTAssertTrue(Lexer.needsMoreInput("for x in [1] {"))
        XCTAssertTrue(Lexer.needsMoreInput("if x {\n print x\n} else {"))
        XCTAssertFalse(Lexer.needsMoreInput("x = [1, 2]"))
        XCTAssertFalse(Lexer.needsMoreInput("x = \"unterminated"), "errors are reported at once")
        XCTAssertFalse(Lexer.needsMoreInput("for x in [1] { print x }"))
    }

    func testSuggestions() {
        XCTAssertEqual(Suggestions.closest(to: "epoch", among: ["epochs", "lr"]), "epochs")
        XCTAssertEqual(Suggestions.closest(to: "trian", among: ["train", "seed"]), "train")
        XCTAssertNil(Suggestions.closest(to: "xyz", among: ["train", "seed"]))
        XCTAssertEqual(Suggestions.editDistance("kitten", "sitting"), 3)
    }
}
