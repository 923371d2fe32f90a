import Foundation
import XCTest
import NeuralNet
import LoupeBase
import Imaging
import ONNXExport
@testable import Workflow

/// A `.loupe` file carries a checksum of its tensors and metadata (format 2): a flipped bit is
/// reported, not loaded; format 1 files, written before checksums, still load.
final class ModelChecksumTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-checksum-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func tinyModel() throws -> (ResNet, ModelMetadata) {
        var config = try ResNetConfig.resnet(depth: 20, classes: 2, inputChannels: 1)
        config.stages = [1, 1, 1]
        let meta = ModelMetadata(architecture: config, classNames: ["cat", "dog"], inputWidth: 28, inputHeight: 28,
                                 normalization: .none(channels: 1), id: "t")
        return (ResNet(config, seed: 1), meta)
    }

    func saved(_ name: String) throws -> String {
        let (model, meta) = try tinyModel()
        let path = folder.appendingPathComponent(name).path
        try ModelStore.save(model, metadata: meta, to: path)
        return path
    }

    func flipBit(_ path: String, at offset: (Int) -> Int, bit: UInt8 = 1) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[offset(bytes.count)] ^= bit
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    func loadError(_ path: String) -> String {
        do { _ = try ModelStore.load(path: path); XCTFail("\(path) loaded"); return "" } catch { return "\(error)" }
    }

    func testSavedModelsCarryAChecksumAndLoad() throws {
        let path = try saved("m.loupe")
        let content = try ModelFile.readWithChecksum(path: path)
        XCTAssertNotNil(content.checksum?.hasPrefix("crc32:"))
        XCTAssertTrue(content.checksumMatches)
        let (_, meta) = try ModelStore.load(path: path)
        XCTAssertEqual(meta.format, 2)
    }

    func testAFlippedBitInAWeightIsReportedNotLoaded() throws {
        let path = try saved("flipped.loupe")
        // The last bytes are the last tensor's values: the lowest mantissa bit of a weight.
        try flipBit(path, at: { $0 - 4 })
        let message = loadError(path)
        XCTAssertTrue(message.contains("flipped.loupe: not a usable model: it is damaged"), message)
        XCTAssertTrue(message.contains("checksum"), message)
    }

    func testAFlippedBitInTheMetadataIsReported() throws {
        let path = try saved("renamed.loupe")
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        // "dog" becomes "eog": still valid JSON and a valid model, but not what was saved.
        let needle = Array("\\\"dog\\\"".utf8)
        let at = try XCTUnwrap((0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle })
        bytes[at + 2] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertTrue(loadError(path).contains("damaged"), loadError(path))
    }

    func testFormatOneFilesWithoutAChecksumStillLoad() throws {
        let (model, meta) = try tinyModel()
        var old = meta
        old.format = 1
        let json = String(decoding: try JSONEncoder().encode(old), as: UTF8.self)
        let path = folder.appendingPathComponent("old.loupe").path
        // As Loupe wrote them before format 2: the JSON and no checksum.
        try SafeTensors.write(ModelStore.tensors(of: model), metadata: [ModelFile.metadataKey: json], to: path)
        let (loaded, loadedMeta) = try ModelStore.load(path: path)
        XCTAssertEqual(loadedMeta.format, 1)
        XCTAssertEqual(loaded.state().flatMap(\.values), model.state().flatMap(\.values))
        // Saved again, it becomes format 2 with a checksum.
        try ModelStore.save(loaded, metadata: loadedMeta, to: path)
        XCTAssertTrue(try ModelFile.readWithChecksum(path: path).checksumMatches)
        XCTAssertEqual(try ModelStore.load(path: path).1.format, 2)

        // A format 2 file whose checksum was removed is refused.
        let json2 = String(decoding: try JSONEncoder().encode(meta), as: UTF8.self)
        try SafeTensors.write(ModelStore.tensors(of: model), metadata: [ModelFile.metadataKey: json2], to: path)
        XCTAssertTrue(loadError(path).contains("checksum is missing"), loadError(path))
    }
}

/// A save killed before its rename (kill -9, a power cut) leaves `.NAME.loupe-tmp-PID-…`
/// behind; the next save into the folder removes it, but never a live process's file.
final class AbandonedTemporaryTests: XCTestCase {
    func testTheNextSaveRemovesTemporariesOfDeadProcessesOnly() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-tmp-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A process id that cannot be alive (above Linux's largest, 2^22), this process's, and init's.
        let dead = folder + "/.best.loupe.loupe-tmp-999999999-a1B2c3"
        let mine = folder + "/.last.loupe.loupe-tmp-\(getpid())-d4E5f6"
        let live = folder + "/.other.loupe.loupe-tmp-1-g7H8i9"
        let unrelated = folder + "/.hidden-notes"
        for path in [dead, mine, live, unrelated] { try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path)) }
        try SafeTensors.write(NamedTensors([("x", StoredTensor(shape: [1], floats: [1]))]), to: folder + "/last.loupe")
        let left = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        XCTAssertEqual(left, [".hidden-notes", ".last.loupe.loupe-tmp-\(getpid())-d4E5f6", ".other.loupe.loupe-tmp-1-g7H8i9", "last.loupe"])
    }
}

/// Figures, reports and ONNX exports write through the same `AtomicWrite` (LoupeBase) as model files, so a
/// temporary that a killed figure, report or export left behind is swept at the next write too.
final class AbandonedFigureTemporaryTests: XCTestCase {
    func testFiguresReportsAndExportsSweepTemporariesOfDeadProcesses() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-tmp-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let live = ".other.png.loupe-tmp-1-g7H8i9"
        let writes: [(String, () throws -> Void)] = [
            ("figure.png", { try Image(width: 2, height: 2, channels: 1).writePNG(to: folder + "/figure.png") }),
            ("photo.jpg", { try Image(width: 2, height: 2, channels: 3).writeJPEG(to: folder + "/photo.jpg") }),
            ("report.html", { try Report.writeAtomically(Array("<html></html>".utf8), to: folder + "/report.html") }),
            ("model.onnx", { try AtomicFile.write([1, 2, 3], to: folder + "/model.onnx") }),
        ]
        for (name, write) in writes {
            let dead = "/.\(name).loupe-tmp-999999999-a1B2c3"
            for path in [dead, "/" + live] { try Data([1, 2, 3]).write(to: URL(fileURLWithPath: folder + path)) }
            try write()
            let left = try FileManager.default.contentsOfDirectory(atPath: folder)
            XCTAssertFalse(left.contains(String(dead.dropFirst())), "\(name): the dead process's temporary is removed")
            XCTAssertTrue(left.contains(live), "\(name): a live process's temporary stays")
            XCTAssertTrue(left.contains(name))
            XCTAssertFalse(left.contains { $0.contains(".tmp-") && !$0.contains(AtomicWrite.temporaryMarker) }, "no temporaries of another naming")
        }
    }
}
