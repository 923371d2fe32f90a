import Foundation
import XCTest
import NeuralNet
@testable import ONNXExport

/// The exporter's file handling: atomic writes, the size limit, unwritable paths.
final class ONNXExportTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-export-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        // Make a read-only folder removable again.
        _ = chmod(folder.path, 0o755)
        try? FileManager.default.removeItem(at: folder)
    }

    func smallModel() throws -> (ResNet, ModelMetadata) {
        let config = try ResNetConfig.resnet(depth: 20, classes: 3, inputChannels: 1)
        let model = ResNet(config, seed: 1)
        let metadata = ModelMetadata(architecture: config, classNames: ["a", "b", "c"], inputWidth: 16, inputHeight: 16,
                                     normalization: .imagenet(channels: 1), id: "test")
        return (model, metadata)
    }

    var info: ONNXExporter.Info { .init(loupeVersion: "test") }

    func folderContents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    func testWritesExactlyTheComputedBytes() throws {
        let (model, metadata) = try smallModel()
        let path = folder.appendingPathComponent("m.onnx").path
        let expected = try ONNXExporter.onnxModel(model, metadata: metadata, info: info).message
        let written = try ONNXExporter.export(model, metadata: metadata, info: info, to: path)
        XCTAssertEqual(written, expected.size)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(bytes, expected.serialized())
        XCTAssertEqual(Array(bytes.prefix(2)), [0x08, 0x08], "ir_version 8 comes first")
        XCTAssertEqual(try folderContents(), ["m.onnx"], "no temporary file is left behind")
    }

    func testGraphHasTheExpectedInterface() throws {
        let (model, metadata) = try smallModel()
        let onnx = try ONNXExporter.onnxModel(model, metadata: metadata, info: info)
        XCTAssertEqual(onnx.graph.inputs.map(\.name), ["pixels"])
        XCTAssertEqual(onnx.graph.inputs[0].shape, [.param("N"), .value(1), .value(16), .value(16)])
        XCTAssertEqual(onnx.graph.outputs.map(\.name), ["logits", "probabilities"])
        let ops = Set(onnx.graph.nodes.map(\.op))
        XCTAssertFalse(ops.contains("BatchNormalization"), "BatchNorm is folded into the convolutions")
        XCTAssertFalse(ops.contains("Dropout"))
        XCTAssertEqual(ops, ["Sub", "Mul", "Conv", "Relu", "Add", "GlobalAveragePool", "Flatten", "Gemm", "Softmax"])
        XCTAssertEqual(onnx.metadata.first { $0.key == "classes" }?.value, #"["a","b","c"]"#)
    }

    func testTooLargeFailsBeforeWritingAndKeepsAnOlderFile() throws {
        let (model, metadata) = try smallModel()
        let path = folder.appendingPathComponent("m.onnx").path
        try Data("older".utf8).write(to: URL(fileURLWithPath: path))
        let size = try ONNXExporter.onnxModel(model, metadata: metadata, info: info).message.size
        XCTAssertThrowsError(try ONNXExporter.export(model, metadata: metadata, info: info, to: path, sizeLimit: size - 1)) { error in
            guard case ONNXExportError.tooLarge(_, let bytes, let limit) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(bytes, size)
            XCTAssertEqual(limit, size - 1)
            XCTAssertTrue("\(error)".contains("over protobuf's limit"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "older")
        XCTAssertEqual(try folderContents(), ["m.onnx"])
        // At the limit exactly, it is written.
        XCTAssertNoThrow(try ONNXExporter.export(model, metadata: metadata, info: info, to: path, sizeLimit: size))
    }

    func testTooLargeLeavesNoFile() throws {
        let (model, metadata) = try smallModel()
        let path = folder.appendingPathComponent("big.onnx").path
        XCTAssertThrowsError(try ONNXExporter.export(model, metadata: metadata, info: info, to: path, sizeLimit: 1000))
        XCTAssertEqual(try folderContents(), [])
    }

    func testProtobufLimitIsTwoGiB() {
        XCTAssertEqual(ONNXExporter.protobufLimit, 2_147_483_647)
    }

    func testMissingFolderFailsClearly() throws {
        let (model, metadata) = try smallModel()
        let path = folder.appendingPathComponent("no/such/folder/m.onnx").path
        XCTAssertThrowsError(try ONNXExporter.export(model, metadata: metadata, info: info, to: path)) { error in
            XCTAssertTrue("\(error)".contains("does not exist"), "\(error)")
            XCTAssertTrue("\(error)".contains(path), "\(error)")
        }
    }

    func testUnwritableFolderLeavesNoFile() throws {
        guard getuid() != 0 else {
            // root writes anywhere: a path below a regular file cannot be created by anyone.
            let (model, metadata) = try smallModel()
            let file = folder.appendingPathComponent("plain")
            try Data().write(to: file)
            let path = file.appendingPathComponent("m.onnx").path
            XCTAssertThrowsError(try ONNXExporter.export(model, metadata: metadata, info: info, to: path)) { error in
                XCTAssertTrue("\(error)".hasPrefix("cannot write '\(path)'"), "\(error)")
            }
            XCTAssertEqual(try folderContents(), ["plain"])
            return
        }
        let (model, metadata) = try smallModel()
        XCTAssertEqual(chmod(folder.path, 0o555), 0)
        let path = folder.appendingPathComponent("m.onnx").path
        XCTAssertThrowsError(try ONNXExporter.export(model, metadata: metadata, info: info, to: path)) { error in
            XCTAssertTrue("\(error)".hasPrefix("cannot write '\(path)'"), "\(error)")
        }
        XCTAssertEqual(try folderContents(), [])
    }

    func testPathThatIsAFolderFails() throws {
        let (model, metadata) = try smallModel()
        let path = folder.appendingPathComponent("dir.onnx").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        XCTAssertThrowsError(try ONNXExporter.export(model, metadata: metadata, info: info, to: path)) { error in
            XCTAssertTrue("\(error)".contains("it is a folder"), "\(error)")
        }
        XCTAssertEqual(try folderContents(), ["dir.onnx"])
    }
}
