import Foundation
import XCTest
import LoupeLang
import LoupeCommands

/// `export m "FILE.onnx"`: the session's `export` dispatches models to ONNX by kind and extension
/// (the file's contents are checked by onnx and ONNX Runtime in Tests/ONNXTests).
final class ModelExportCommandTests: XCTestCase {
    func testModelExportsToONNXAndTrainingIsSummarised() throws {
        let h = try quadrantHarness()
        let out = try h.lines("m = resnet 20 classes=d\nrun = train m d epochs=1 checkpoint=false\nexport m \"\(h.path("out/m.onnx"))\"")
        let line = try XCTUnwrap(out.last)
        XCTAssertTrue(line.hasPrefix("exported resnet20 version 1 to \(h.path("out/m.onnx")) (ONNX opset 17, "), line)
        XCTAssertTrue(line.hasSuffix("input pixels [N, 1, 28, 28] on 0…1)"), line)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: h.path("out/m.onnx")))
        XCTAssertEqual(Array(bytes.prefix(2)), [0x08, 0x08], "ir_version 8")
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertTrue(text.contains("[\"class0\",\"class1\",\"class2\",\"class3\"]"), "class names in metadata_props")
        XCTAssertTrue(text.contains("train on "), "the training summary in metadata_props")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: h.path("out")), ["m.onnx"])
    }

    func testKindAndExtensionMustAgree() throws {
        let h = try quadrantHarness()
        try h.lines("m = resnet 20 classes=d")
        XCTAssertTrue(h.error("export m \"\(h.path("m.csv"))\"").contains("a model exports to ONNX: give a file ending in .onnx"))
        XCTAssertTrue(h.error("export [1, 2] \"\(h.path("t.onnx"))\"").contains("only a model exports to ONNX"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: h.path("m.csv")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: h.path("t.onnx")))
    }

    func testUnwritablePathNamesTheFileAndLeavesNothing() throws {
        let h = try quadrantHarness()
        try Data("x".utf8).write(to: URL(fileURLWithPath: h.path("plain")))
        try h.lines("m = resnet 20 classes=d")
        let target = h.path("plain/m.onnx")
        let message = h.error("export m \"\(target)\"")
        XCTAssertTrue(message.contains("cannot write '\(target)'") && message.contains("nothing was written"), message)
    }

    func testTablesStillExportAsCSV() throws {
        let h = try ScriptHarness()
        let out = try h.lines("x = 1\nt = vars\nexport t \"\(h.path("t.csv"))\"")
        XCTAssertEqual(out.last, "exported 1 row to \(h.path("t.csv"))")
        XCTAssertTrue(try String(contentsOfFile: h.path("t.csv"), encoding: .utf8).hasPrefix("name,kind,summary\nx,"))
    }
}
