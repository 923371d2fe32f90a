import Foundation
import LoupeLang
import XCTest

/// Runs every script in `Scripts/` and checks what it printed against its comments:
///
/// - `# expect: TEXT` — the next printed line is exactly TEXT (all printed lines must be expected);
/// - `# expect~: REGEX` — the next printed line matches REGEX;
/// - `# error: LINE:COL TEXT` — the script stops with an error at LINE:COL whose message contains TEXT;
/// - `# stderr: TEXT` — the lines of the error report, exactly (message, source line, underline);
/// - `# mode: repl` — expression statements show their values, as in the REPL.
final class ScriptCorpusTests: XCTestCase {
    struct Expectations {
        var lines: [(text: String, isPattern: Bool)] = []
        var error: (line: Int, column: Int, message: String)?
        var errorLines: [String] = []
        var repl = false
    }

    static func expectations(in text: String) -> Expectations {
        var result = Expectations()
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            func value(_ prefix: String) -> String? {
                guard line.hasPrefix(prefix) else { return nil }
                var rest = String(line.dropFirst(prefix.count))
                if rest.hasPrefix(" ") { rest.removeFirst() }
                return rest
            }
            if let text = value("# expect:") {
                result.lines.append((text, false))
            } else if let pattern = value("# expect~:") {
                result.lines.append((pattern, true))
            } else if let spec = value("# error:") {
                let parts = spec.split(separator: " ", maxSplits: 1).map(String.init)
                let position = parts[0].split(separator: ":").compactMap { Int($0) }
                result.error = (position[0], position[1], parts.count > 1 ? parts[1] : "")
            } else if line.hasPrefix("# stderr:") {
                // The underline lines start with spaces that matter: keep everything after "# stderr: ".
                let full = String(raw)
                let start = full.range(of: "# stderr:")!.upperBound
                var rest = String(full[start...])
                if rest.hasPrefix(" ") { rest.removeFirst() }
                result.errorLines.append(rest)
            } else if value("# mode:") == "repl" {
                result.repl = true
            }
        }
        return result
    }

    static var scriptsFolder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts")
    }

    func testEveryScript() throws {
        let scripts = try FileManager.default.contentsOfDirectory(atPath: Self.scriptsFolder.path)
            .filter { $0.hasSuffix(".loupe") }.sorted()
        XCTAssertGreaterThan(scripts.count, 30, "the corpus is missing")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-scripts-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(scratch.path))
        defer {
            _ = FileManager.default.changeCurrentDirectoryPath(previous)
            try? FileManager.default.removeItem(at: scratch)
        }
        var failures = 0
        for name in scripts {
            let text = try String(contentsOf: Self.scriptsFolder.appendingPathComponent(name), encoding: .utf8)
            if !check(name: name, text: text) { failures += 1 }
        }
        print("script corpus: \(scripts.count - failures) of \(scripts.count) scripts pass")
    }

    /// Runs one script; records a failure (and returns false) when it does not do what its comments say.
    func check(name: String, text: String) -> Bool {
        let expected = Self.expectations(in: text)
        var printed = ""
        var session = Session()
        let context = RunContext(output: { printed += $0 }, showsExpressionValues: expected.repl)
        var failure: LoupeError?
        do {
            try Interpreter(registry: ToyCommands.registry()).run(SourceFile(name: name, text: text), in: &session, context: context)
        } catch {
            failure = error
        }
        var problems: [String] = []
        var lines = printed.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        for (i, expectation) in expected.lines.enumerated() {
            guard i < lines.count else {
                problems.append("expected line \(i + 1) '\(expectation.text)' but the output ended")
                break
            }
            let matches = expectation.isPattern
                ? lines[i].range(of: "^" + expectation.text + "$", options: .regularExpression) != nil
                : lines[i] == expectation.text
            if !matches { problems.append("line \(i + 1): expected '\(expectation.text)', got '\(lines[i])'") }
        }
        if lines.count > expected.lines.count {
            problems.append("unexpected output: " + lines[expected.lines.count...].joined(separator: " | "))
        }
        switch (expected.error, failure) {
        case (nil, nil):
            break
        case (nil, let error?):
            problems.append("unexpected error:\n\(error)")
        case (let want?, nil):
            problems.append("expected an error at \(want.line):\(want.column) '\(want.message)', but the script succeeded")
        case (let want?, let error?):
            let first = error.description.split(separator: "\n").first.map(String.init) ?? ""
            let prefix = "\(name):\(want.line):\(want.column): error: "
            if !first.hasPrefix(prefix) || !first.contains(want.message) {
                problems.append("expected '\(prefix)…\(want.message)…', got:\n\(error)")
            }
        }
        if !expected.errorLines.isEmpty {
            let got = failure?.description.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) ?? []
            if got != expected.errorLines {
                problems.append("error report differs; expected:\n" + expected.errorLines.joined(separator: "\n")
                                + "\ngot:\n" + got.joined(separator: "\n"))
            }
        }
        if !problems.isEmpty {
            XCTFail("\(name):\n  " + problems.joined(separator: "\n  ") + "\n--- output ---\n\(printed)")
        }
        return problems.isEmpty
    }
}
