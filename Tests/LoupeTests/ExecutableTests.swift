import Foundation
import XCTest

/// `loupe run`: exit codes and messages, save/replay, notebooks, stdin scripts.
final class ExecutableTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = try LoupeBinary.scratchFolder(name)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    func write(_ text: String, to name: String) throws {
        try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func testExitCodesAndMessages() throws {
        try write("x = 1\nprint x\n", to: "ok.loupe")
        let ok = try LoupeBinary.run(["run", "ok.loupe"], in: folder)
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(ok.stdout, "1\n")

        try write("x = 1\ny = (x +\n", to: "syntax.loupe")
        let syntax = try LoupeBinary.run(["run", "syntax.loupe"], in: folder)
        XCTAssertEqual(syntax.status, 65)
        XCTAssertEqual(syntax.stderr, "syntax.loupe:2:5: error: unclosed '(': add the matching ')'\n    y = (x +\n        ^\n")
        XCTAssertEqual(syntax.stdout, "", "nothing runs when the script does not parse")

        let missing = try LoupeBinary.run(["run", "missing.loupe"], in: folder)
        XCTAssertEqual(missing.status, 66)
        XCTAssertEqual(missing.stderr, "missing.loupe: error: cannot read 'missing.loupe': no such file\n")

        try write("source \"gone.loupe\"\n", to: "needs.loupe")
        let needs = try LoupeBinary.run(["run", "needs.loupe"], in: folder)
        XCTAssertEqual(needs.status, 66, "a file the script needs")
        XCTAssertTrue(needs.stderr.hasPrefix("needs.loupe:1:8: error: cannot read 'gone.loupe'"), needs.stderr)

        try write("print \"start\"\nrates = [0.1, 0.01]\nprint rates[0] / (rates.count - 2)\nprint \"never\"\n", to: "runtime.loupe")
        let runtime = try LoupeBinary.run(["run", "runtime.loupe"], in: folder)
        XCTAssertEqual(runtime.status, 70)
        XCTAssertEqual(runtime.stdout, "start\n")
        XCTAssertEqual(runtime.stderr, "runtime.loupe:3:16: error: division by zero\n    print rates[0] / (rates.count - 2)\n                   ^\n")

        let usage = try LoupeBinary.run(["run", "ok.loupe", "--sed", "3"], in: folder)
        XCTAssertEqual(usage.status, 64)
        XCTAssertTrue(usage.stderr.contains("unknown option '--sed'"), usage.stderr)
        XCTAssertEqual(try LoupeBinary.run(["run"], in: folder).status, 64)
        XCTAssertEqual(try LoupeBinary.run(["frobnicate"], in: folder).status, 64)

        let version = try LoupeBinary.run(["--version"], in: folder)
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.stdout.hasPrefix("loupe "), version.stdout)
    }

    func testSeedAndWorkdirOptions() throws {
        try write("workdir\nx = 1\nsave_session \"s.loupe\"\n", to: "opts.loupe")
        let result = try LoupeBinary.run(["run", "--seed", "17", "opts.loupe", "--workdir=out/w", "--quiet"], in: folder)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "out/w\nsaved 2 statements to s.loupe\n")
        let saved = try String(contentsOf: folder.appendingPathComponent("s.loupe"), encoding: .utf8)
        XCTAssertEqual(saved, "# Loupe session\nseed 17\nworkdir \"out/w\"\nworkdir\nx = 1\n")
    }

    func testProgressGoesToStandardErrorAsLinesAndQuietSilencesIt() throws {
        try write("sleep 0.3\nprint \"done\"\n", to: "slow.loupe")
        let plain = try LoupeBinary.run(["run", "slow.loupe"], in: folder)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertEqual(plain.stdout, "done\n", "progress never mixes with results")
        XCTAssertTrue(plain.stderr.contains("sleep: 100%"), plain.stderr)
        XCTAssertFalse(plain.stderr.contains("\r"), "no bar redraws when stderr is not a terminal")
        let quiet = try LoupeBinary.run(["run", "slow.loupe", "--quiet"], in: folder)
        XCTAssertEqual(quiet.stdout, "done\n")
        XCTAssertEqual(quiet.stderr, "")
    }

    func testSavedSessionReplaysTheSamePrintedResults() throws {
        let script = """
        seed 4
        rates = [0.1, 0.01, 0.001]
        best = rates[1] * 2
        for r in rates { print "rate {r}" }
        if best > 0.01 { print "best", best } else { print "small" }
        workdir "out"
        workdir
        t = vars
        print t.count, "{t.name}"
        sleep 0.01
        save_session "replay.loupe"

        """
        try write(script, to: "original.loupe")
        let original = try LoupeBinary.run(["run", "original.loupe"], in: folder)
        XCTAssertEqual(original.status, 0, original.stderr)
        XCTAssertTrue(original.stdout.hasSuffix("saved 10 statements to replay.loupe\n"), original.stdout)
        let replay = try LoupeBinary.run(["run", "replay.loupe"], in: folder)
        XCTAssertEqual(replay.status, 0, replay.stderr)
        let printedBeforeSaving = original.stdout.split(separator: "\n").dropLast().joined(separator: "\n") + "\n"
        XCTAssertEqual(replay.stdout, printedBeforeSaving)
        XCTAssertEqual(replay.stdout, "rate 0.1\nrate 0.01\nrate 0.001\nbest 0.02\nout\n3 [\"best\", \"r\", \"rates\"]\n")
    }

    func testNotebookHasEveryStatementAndItsOutput() throws {
        try write("# notebook\nx = 2\nprint \"x is {x}\"\nfor i in [1, 2] { print i * x }\nprint \"<b>&\"\n", to: "nb.loupe")
        let result = try LoupeBinary.run(["run", "nb.loupe", "--notebook", "out/nb.html", "--quiet"], in: folder)
        XCTAssertEqual(result.status, 0, result.stderr)
        let html = try String(contentsOf: folder.appendingPathComponent("out/nb.html"), encoding: .utf8)
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        for piece in ["<pre class=\"code\">x = 2</pre>", "<pre class=\"code\">print &quot;x is {x}&quot;</pre>",
                      "<pre class=\"out\">x is 2\n</pre>", "<pre class=\"out\">2\n4\n</pre>",
                      "<pre class=\"out\">&lt;b&gt;&amp;\n</pre>"] {
            XCTAssertTrue(html.contains(piece), "missing \(piece) in\n\(html)")
        }
        XCTAssertEqual(html.components(separatedBy: "<section class=\"cell\">").count - 1, 4, "one cell per statement")

        try write("print 1\nprint 1 / 0\nprint 2\n", to: "bad.loupe")
        let failed = try LoupeBinary.run(["run", "bad.loupe", "--notebook", "bad.html"], in: folder)
        XCTAssertEqual(failed.status, 70)
        let partial = try String(contentsOf: folder.appendingPathComponent("bad.html"), encoding: .utf8)
        XCTAssertTrue(partial.contains("<pre class=\"err\">bad.loupe:2:9: error: division by zero"), partial)
    }

    func testStandardInputIsAScriptWithoutPrompt() throws {
        let result = try LoupeBinary.run([], in: folder, input: "x = 3\nx\nprint x * 2\n")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "6\n", "no prompt, no echo, expressions not shown")
        let failed = try LoupeBinary.run([], in: folder, input: "print 1\nprint nope\n")
        XCTAssertEqual(failed.status, 70)
        XCTAssertTrue(failed.stderr.hasPrefix("<stdin>:2:7: error: unknown name 'nope'"), failed.stderr)
    }

    func testRunReadsStandardInputAndPipes() throws {
        // `loupe run -` takes run's options; /dev/stdin (a pipe here, not a regular file) reads the same.
        let dash = try LoupeBinary.run(["run", "-", "--quiet"], in: folder, input: "x = 3\nprint x * 2\nprint nope\n")
        XCTAssertEqual(dash.status, 70)
        XCTAssertEqual(dash.stdout, "6\n")
        XCTAssertTrue(dash.stderr.hasPrefix("<stdin>:3:7: error: unknown name 'nope'"), dash.stderr)
        let device = try LoupeBinary.run(["run", "/dev/stdin"], in: folder, input: "print 7\n")
        XCTAssertEqual(device.status, 0, device.stderr)
        XCTAssertEqual(device.stdout, "7\n")
        let none = try LoupeBinary.run(["run", "missing.loupe"], in: folder)
        XCTAssertEqual(none.status, 66)
        XCTAssertTrue(none.stderr.contains("cannot read 'missing.loupe': no such file"), none.stderr)
    }

    func testHelpFromTheCommandLine() throws {
        let all = try LoupeBinary.run(["help"], in: folder)
        XCTAssertEqual(all.status, 0)
        XCTAssertTrue(all.stdout.contains("save_session"), all.stdout)
        let one = try LoupeBinary.run(["help", "sleep"], in: folder)
        XCTAssertTrue(one.stdout.hasPrefix("sleep — "), one.stdout)
        let unknown = try LoupeBinary.run(["help", "slep"], in: folder)
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains("did you mean 'sleep'?"), unknown.stderr)
    }
}
