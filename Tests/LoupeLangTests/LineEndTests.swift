import LoupeLang
import XCTest

/// Windows line ends (issue 13, class 4): a CRLF script runs as its LF twin does.
final class LineEndTests: XCTestCase {
    let interpreter = Interpreter(registry: ToyCommands.registry())

    func run(_ text: String) -> (output: String, error: LoupeError?) {
        var session = Session()
        var output = ""
        let context = RunContext(output: { output += $0 }, showsExpressionValues: false)
        do {
            try interpreter.run(SourceFile(name: "crlf.loupe", text: text), in: &session, context: context)
            return (output, nil)
        } catch {
            return (output, error)
        }
    }

    func testCRLFScriptRuns() {
        let text = "x = 2\r\nif x > 1 {\r\n  print \"big\", x\r\n}\r\nprint [1,\r\n  2]\r\n"
        let result = run(text)
        XCTAssertNil(result.error)
        XCTAssertEqual(result.output, "big 2\n[1, 2]\n")
        let failing = run("x = 1\r\nprint y\r\n")
        XCTAssertEqual(failing.error?.diagnostic.span?.start.line, 2)
        XCTAssertTrue("\(failing.error!)".contains("print y"), "\(failing.error!)")
        XCTAssertFalse("\(failing.error!)".contains("\r"), "the quoted line has no carriage return")
    }
}
