import Foundation
import LoupeLang
import XCTest

/// Tab completion reads the declarations and the session.
final class CompletionTests: XCTestCase {
    func completer() throws -> Completer {
        let interpreter = Interpreter(registry: ToyCommands.registry())
        var session = Session()
        let source = SourceFile(name: "t", text: "d = toy_dataset \"x\"\nn_digits = 3")
        let context = RunContext(output: { _ in }, showsExpressionValues: false)
        for statement in try interpreter.parse(source) {
            try interpreter.execute(statement, from: source, in: &session, context: context)
        }
        return Completer(registry: interpreter.registry, session: session)
    }

    func testCommandsAndVariablesAtTheStart() throws {
        let c = try completer()
        XCTAssertEqual(c.complete(before: "", word: "toy_").candidates, ["toy_compare", "toy_dataset", "toy_model", "toy_table"])
        XCTAssertEqual(c.complete(before: "", word: "sa").candidates, ["save_session"])
        XCTAssertEqual(c.complete(before: "r = ", word: "tr").candidates, ["train"])
        XCTAssertEqual(c.complete(before: "", word: "n_").candidates, ["n_digits"])
        XCTAssertTrue(c.complete(before: "", word: "n_").appendSpace)
        XCTAssertFalse(c.complete(before: "print ", word: "d").appendSpace, "a dataset is often followed by '.'")
    }

    func testParametersChoicesAndFlags() throws {
        let c = try completer()
        let parameters = c.complete(before: "train m d ", word: "ep")
        XCTAssertEqual(parameters.candidates, ["epochs="])
        XCTAssertFalse(parameters.appendSpace)
        XCTAssertEqual(c.complete(before: "train m d ", word: "fl").candidates, ["flip_h"])
        XCTAssertEqual(c.complete(before: "train m d optimizer=", word: "").candidates, ["adamw", "sgd"])
        XCTAssertEqual(c.complete(before: "train m d classes=", word: "").candidates, ["d"], "only datasets")
        XCTAssertEqual(c.complete(before: "train m d epochs=3 ", word: "ep").candidates, [], "given once")
        XCTAssertEqual(c.complete(before: "help ", word: "sav").candidates, ["save_session"])
    }

    func testAttributes() throws {
        let c = try completer()
        XCTAssertEqual(c.complete(before: "print ", word: "d.c").candidates, ["d.classes", "d.count", "d.counts"])
        XCTAssertEqual(c.complete(before: "", word: "d.size.w").candidates, ["d.size.width"])
        XCTAssertEqual(c.complete(before: "", word: "nothing.c").candidates, [])
    }

    func testPathsInsideStrings() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-complete-\(getpid())")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("images"), withIntermediateDirectories: true)
        try Data().write(to: folder.appendingPathComponent("labels.csv"))
        defer { try? FileManager.default.removeItem(at: folder) }
        let c = try completer()
        let base = folder.path + "/"
        let folderResult = c.complete(before: "d = toy_dataset \"", word: base + "im")
        XCTAssertEqual(folderResult.candidates, [base + "images/"])
        XCTAssertFalse(folderResult.appendSpace)
        let file = c.complete(before: "d = toy_dataset \"", word: base + "la")
        XCTAssertEqual(file.candidates, [base + "labels.csv"])
        XCTAssertTrue(file.closesString)
        XCTAssertFalse(folderResult.closesString)
        XCTAssertEqual(c.complete(before: "d = toy_dataset \"", word: base).candidates.count, 2)
        // readline starts the word after the leading `/` (a break character): the path is still
        // everything since the quote, and the candidates replace the word alone.
        let split = c.complete(before: "d = toy_dataset \"/", word: String(base.dropFirst()) + "im")
        XCTAssertEqual(split.candidates, [String(base.dropFirst()) + "images/"])
        let middle = c.complete(before: "d = toy_dataset \"" + base, word: "la")
        XCTAssertEqual(middle.candidates, ["labels.csv"])
        XCTAssertTrue(middle.closesString)
    }
}
