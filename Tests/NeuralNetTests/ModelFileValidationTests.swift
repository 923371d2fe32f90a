import Foundation
import XCTest
import NeuralNet

/// Model files whose numbers would crash or exhaust memory are refused with a message naming
/// the file and the field (issue 13, class 7).
final class ModelFileValidationTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-validation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// Saves a small real model under metadata changed by `edit`, loads it, and returns the error.
    private func loadError(_ name: String, _ edit: (inout ModelMetadata) -> Void) throws -> String {
        var config = try ResNetConfig.resnet(depth: 20, classes: 2, inputChannels: 1)
        config.stages = [1, 1, 1]
        let model = ResNet(config, seed: 1)
        var meta = ModelMetadata(architecture: config, classNames: ["x", "y"], inputWidth: 28, inputHeight: 28,
                                 normalization: .none(channels: 1), id: "t")
        let path = folder.appendingPathComponent(name).path
        try ModelStore.save(model, metadata: meta, to: path)
        // The weights stay; only the metadata is edited, as a hand-edited file would be.
        edit(&meta)
        let tensors = try ModelFile.read(path: path).tensors
        try ModelFile.write(tensors, loupeMetadata: String(decoding: try JSONEncoder().encode(meta), as: UTF8.self), to: path)
        do {
            _ = try ModelStore.load(path: path)
            XCTFail("\(name) loaded")
            return ""
        } catch {
            XCTAssertTrue("\(error)".contains(name), "\(error)")
            return "\(error)"
        }
    }

    func testHugeOrNegativeFieldsAreRefusedBeforeAllocation() throws {
        let cases: [(String, (inout ModelMetadata) -> Void, String)] = [
            ("version-max.loupe", { $0.version = .max }, "version 9223372036854775807"),
            ("version-neg.loupe", { $0.version = -5 }, "version -5"),
            ("format-neg.loupe", { $0.format = -1 }, "format -1"),
            ("width-huge.loupe", { $0.inputWidth = 1 << 62 }, "input size"),
            ("width-neg.loupe", { $0.inputWidth = -3 }, "input size -3x28"),
            ("widths.loupe", { $0.architecture.widths = [4096, 4096, 4096] }, "needs at least"),
            ("stages.loupe", { $0.architecture.stages = [1 << 40, 1, 1] }, "stages"),
            ("hidden.loupe", { $0.architecture.hidden = 1 << 40 }, "hidden layer of 1099511627776 units"),
            ("dropout.loupe", { $0.architecture.dropout = 5 }, "dropout 5.0"),
            ("mean.loupe", { $0.normalization.mean = [] }, "0 means"),
            ("std.loupe", { $0.normalization.std = [0] }, "deviation"),
        ]
        for (name, edit, phrase) in cases {
            let message = try loadError(name, edit)
            XCTAssertTrue(message.contains(phrase), "\(name): \(message)")
        }
    }

    // MARK: .pth

    private func read(_ pickle: TestPickle, _ source: String) throws -> NamedTensors {
        try TorchCheckpoint.readStateDict(bytes: torchArchive(pickle: pickle.bytes, storages: ["0": littleEndianBytes([1, 2, 3, 4])]),
                                          source: source)
    }

    /// `l = []; l.append(l)` and a dict that holds itself under `state_dict`.
    func testPickleThatRefersToItselfIsRefused() {
        var list = TestPickle()
        list.op("]"); list.raw([UInt8(ascii: "q"), 0]); list.raw([UInt8(ascii: "h"), 0]); list.op("a"); list.stop()
        assertModelFileError(try read(list, "selflist.pth"), mentions: ["selflist.pth", "refers to itself"])
        var dict = TestPickle()
        dict.op("}"); dict.raw([UInt8(ascii: "q"), 0]); dict.string("state_dict"); dict.raw([UInt8(ascii: "h"), 0]); dict.op("s")
        dict.stop()
        assertModelFileError(try read(dict, "selfdict.pth"), mentions: ["selfdict.pth", "refers to itself"])
    }

    func testDeeplyNestedPickleIsRefused() {
        var tuples = TestPickle()
        tuples.op(")")
        for _ in 0..<200_000 { tuples.raw([0x85]) }   // TUPLE1 around the previous value
        tuples.stop()
        assertModelFileError(try read(tuples, "deep.pth"), mentions: ["deep.pth", "nesting", "100 levels"])
        var lists = TestPickle()
        for _ in 0..<200_000 { lists.op("]") }
        for _ in 0..<199_999 { lists.op("a") }
        lists.stop()
        assertModelFileError(try read(lists, "deeplists.pth"), mentions: ["deeplists.pth", "nesting"])
    }

    func testExtremeStorageOffsetIsRefused() {
        var p = TestPickle()
        p.op("}"); p.mark(); p.string("w")
        // The offset is written as LONG1 of 8 bytes: Int64.max - 1.
        p.global("torch._utils", "_rebuild_tensor_v2")
        p.mark()
        p.mark(); p.string("storage"); p.global("torch", "FloatStorage"); p.string("0"); p.string("cpu"); p.int(4); p.op("t")
        p.op("Q")
        p.raw([0x8A, 8] + withUnsafeBytes(of: (Int64.max - 1).littleEndian, Array.init))
        p.ints([2]); p.ints([1]); p.raw([0x89])
        p.global("collections", "OrderedDict"); p.op(")"); p.op("R")
        p.op("t"); p.op("R")
        p.op("u"); p.stop()
        assertModelFileError(try read(p, "offset.pth"), mentions: ["offset.pth", "from element 9223372036854775806"])
    }
}
