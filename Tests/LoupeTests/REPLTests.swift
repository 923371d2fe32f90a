import Foundation
import XCTest

/// The REPL through a pseudo-terminal: completion, history, Ctrl-C, errors, Ctrl-D.
///
/// Runs `repl_pexpect.py` (Python's pexpect) against the built binary and fails with
/// its transcript when a check fails.
final class REPLTests: XCTestCase {
    func testREPLThroughAPseudoTerminal() throws {
        let binary = try LoupeBinary.path()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("repl_pexpect.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, binary]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        print(text)
        XCTAssertNotEqual(process.terminationStatus, 2, "install pexpect: python3 -m pip install pexpect")
        XCTAssertEqual(process.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("REPL tests: 11 passed, 0 failed"), text)
    }
}
