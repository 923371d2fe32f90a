import NeuralNet
import XCTest

/// `.pth` files that must be refused, each with a message naming the file and the problem,
/// and crafted state dicts that exercise what torch.save can legitimately write.
final class IOTorchRefusalTests: XCTestCase {
    private func read(_ bytes: [UInt8], _ source: String = "crafted.pth") throws -> NamedTensors {
        try TorchCheckpoint.readStateDict(bytes: bytes, source: source)
    }

    /// `{"w": <shape>, …}` over one float storage "0" holding `storage`.
    private func stateDict(_ tensors: [(name: String, offset: Int32, shape: [Int32], stride: [Int32])],
                           storage: [Float]) -> [UInt8] {
        var p = TestPickle()
        p.op("}"); p.mark()
        for t in tensors {
            p.string(t.name)
            p.tensor(storage: "FloatStorage", key: "0", numel: Int32(storage.count), offset: t.offset, shape: t.shape, stride: t.stride)
        }
        p.op("u"); p.stop()
        return torchArchive(pickle: p.bytes, storages: ["0": littleEndianBytes(storage)])
    }

    func testOsSystemIsRefusedAndNeverRun() {
        var p = TestPickle()
        p.global("os", "system"); p.string("touch /tmp/loupe-was-pwned"); p.raw([0x85]); p.op("R"); p.stop()
        assertModelFileError(try read(torchArchive(pickle: p.bytes, storages: [:]), "evil.pth"),
                             mentions: ["evil.pth", "'os.system'", "nothing in it was run"])
    }

    /// The real tinyresnet.pth with one storage global swapped for `builtins.eval` (CRCs recomputed).
    func testForeignGlobalInsideARealCheckpointIsRefused() throws {
        var entries = TestZip.entries(of: try IOFixtures.bytes("tinyresnet.pth"))
        let index = try XCTUnwrap(entries.firstIndex { $0.name.hasSuffix("data.pkl") })
        let needle = Array("torch\nLongStorage\n".utf8)
        let pickle = entries[index].data
        let at = try XCTUnwrap((0...(pickle.count - needle.count)).first { pickle[$0..<($0 + needle.count)].elementsEqual(needle) })
        entries[index].data = Array(pickle[..<at]) + Array("builtins\neval\n".utf8) + Array(pickle[(at + needle.count)...])
        assertModelFileError(try read(TestZip.archive(entries), "patched.pth"), mentions: ["patched.pth", "'builtins.eval'"])
    }

    func testCompressedEntryIsRefused() throws {
        var entries = TestZip.entries(of: try IOFixtures.bytes("tinyresnet.pth"))
        entries[4].method = 8
        assertModelFileError(try read(TestZip.archive(entries), "zipped.pth"),
                             mentions: ["zipped.pth", "'\(entries[4].name)'", "compressed", "method 8"])
    }

    func testNonZipFilesAreRefused() throws {
        assertModelFileError(try read([], "empty.pth"), mentions: ["empty.pth", "empty"])
        assertModelFileError(try read(Array("hello, world, not a checkpoint".utf8), "text.pth"),
                             mentions: ["text.pth", "not a torch.save zip archive"])
        var legacy = TestPickle()
        legacy.op("}"); legacy.stop()
        assertModelFileError(try read(legacy.bytes, "old.pth"), mentions: ["not a torch.save zip archive", "legacy"])
        assertModelFileError(try read(try IOFixtures.bytes("tinyresnet.safetensors"), "st.pth"),
                             mentions: ["not a torch.save zip archive", "safetensors"])
    }

    func testTruncatedCheckpointsAreRefusedAtEveryCut() throws {
        let whole = try IOFixtures.bytes("tinyresnet.pth")
        for cut in [1, 3, 4, 30, 100, 5000, whole.count / 2, whole.count - 22, whole.count - 1] {
            assertModelFileError(try read(Array(whole[..<cut]), "cut.pth"), mentions: ["cut.pth"])
        }
        // Archives whose directory survives but claims more bytes for a storage than there are.
        var entries = TestZip.entries(of: whole)
        let storage = try XCTUnwrap(entries.firstIndex { $0.name.hasSuffix("/data/3") })
        entries.swapAt(storage, entries.count - 1)
        entries[entries.count - 1].declaredSize = entries[entries.count - 1].data.count + 100
        assertModelFileError(try read(TestZip.archive(entries), "overlap.pth"), mentions: ["overlap.pth", "data/3", "central directory"])
        entries[entries.count - 1].declaredSize = 1 << 30
        assertModelFileError(try read(TestZip.archive(entries), "short.pth"), mentions: ["short.pth", "data/3", "truncated"])
    }

    func testDamagedStorageFailsItsChecksum() throws {
        var damaged = try IOFixtures.bytes("tinyresnet.pth")
        let entries = TestZip.entries(of: damaged)
        let storage = try XCTUnwrap(entries.first { $0.name.hasSuffix("/data/0") })
        let at = try XCTUnwrap((0..<damaged.count).first { damaged[$0..<min($0 + storage.data.count, damaged.count)].elementsEqual(storage.data) })
        damaged[at + 5] ^= 0x40
        assertModelFileError(try read(damaged, "flipped.pth"), mentions: ["flipped.pth", "data/0", "CRC-32"])
    }

    func testNonContiguousTensorIsRefused() {
        let bytes = stateDict([("fc.weight", 0, [2, 3], [1, 2])], storage: [1, 2, 3, 4, 5, 6])
        assertModelFileError(try read(bytes, "t.pth"), mentions: ["t.pth", "'fc.weight'", "[1, 2]", "contiguous()"])
    }

    func testSharedStorageOffsetsAndSizeOneStrides() throws {
        let storage: [Float] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
        // Two views into one storage, one with an arbitrary stride on a size-1 dimension, as PyTorch allows.
        let bytes = stateDict([("a", 2, [2, 2], [2, 1]), ("b", 6, [1, 3], [99, 1]), ("scalar", 9, [], [])], storage: storage)
        let t = try read(bytes)
        XCTAssertEqual(t.names, ["a", "b", "scalar"])
        XCTAssertEqual(t["a"], StoredTensor(shape: [2, 2], floats: [2, 3, 4, 5]))
        XCTAssertEqual(t["b"], StoredTensor(shape: [1, 3], floats: [6, 7, 8]))
        XCTAssertEqual(t["scalar"], StoredTensor(shape: [], floats: [9]))

        let outside = stateDict([("c", 8, [3], [1])], storage: storage)
        assertModelFileError(try read(outside, "o.pth"), mentions: ["'c'", "8..<11", "holds 10"])
    }

    func testStorageSizeMustMatchItsEntry() {
        var p = TestPickle()
        p.op("}"); p.string("w")
        p.tensor(storage: "FloatStorage", key: "0", numel: 1_000_000, offset: 0, shape: [1_000_000], stride: [1])
        p.op("s"); p.stop()
        let bytes = torchArchive(pickle: p.bytes, storages: ["0": littleEndianBytes([1, 2])])
        assertModelFileError(try read(bytes, "lies.pth"), mentions: ["lies.pth", "data/0", "8 bytes", "1000000 elements"])
    }

    func testCheckpointDictWithStateDictInsideIsAccepted() throws {
        var p = TestPickle()
        p.op("}"); p.mark()
        p.string("epoch"); p.int(3)
        p.string("lr"); p.raw([UInt8(ascii: "G"), 0x3F, 0xB9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9A])
        p.string("state_dict"); p.op("}"); p.string("w")
        p.tensor(storage: "FloatStorage", key: "0", numel: 2, offset: 0, shape: [2], stride: [1])
        p.op("s")
        p.op("u"); p.stop()
        let t = try read(torchArchive(pickle: p.bytes, storages: ["0": littleEndianBytes([1.5, -1])]))
        XCTAssertEqual(t["w"], StoredTensor(shape: [2], floats: [1.5, -1]))

        var plain = TestPickle()
        plain.op("}"); plain.string("epoch"); plain.int(3); plain.op("s"); plain.stop()
        assertModelFileError(try read(torchArchive(pickle: plain.bytes, storages: [:]), "e.pth"),
                             mentions: ["e.pth", "not a state dict", "'epoch'", "integer 3"])
    }

    func testUnknownOpcodeIsRefused() {
        var p = TestPickle()
        p.op("}"); p.raw([UInt8(ascii: "i")]); p.raw(Array("os\nsystem\n".utf8)); p.stop()  // INST
        assertModelFileError(try read(torchArchive(pickle: p.bytes, storages: [:]), "inst.pth"),
                             mentions: ["inst.pth", "opcode 0x69", "byte 3"])
    }

    /// A pickle that only piles up values is stopped by the opcode budget, not by memory.
    func testPickleThatBuildsTooManyValuesIsStopped() {
        var p = TestPickle()
        p.raw(Array(repeating: UInt8(ascii: "N"), count: 200_000))
        p.stop()
        let limits = FileLimits(maxFileBytes: 1 << 30, maxHeaderBytes: 1 << 30, maxTensorElements: 1 << 31, maxTensorCount: 1000)
        XCTAssertThrowsError(try TorchCheckpoint.readStateDict(bytes: torchArchive(pickle: p.bytes, storages: [:]),
                                                               source: "pile.pth", limits: limits)) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("pile.pth") && message.contains("pickle opcodes") && message.contains("limit of 129536"), message)
        }
    }

    /// Random damage to a real pickle (with valid checksums) never crashes the reader.
    func testDamagedPicklesNeverCrash() throws {
        let entries = TestZip.entries(of: try IOFixtures.bytes("tinyresnet.pth"))
        let index = try XCTUnwrap(entries.firstIndex { $0.name.hasSuffix("data.pkl") })
        var state: UInt64 = 7
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var refused = 0
        for _ in 0..<300 {
            var damaged = entries
            for _ in 0...next(3) { damaged[index].data[next(damaged[index].data.count)] = UInt8(next(256)) }
            do { _ = try read(TestZip.archive(damaged), "fuzz.pth") } catch is ModelFileError { refused += 1 }
        }
        XCTAssertGreaterThan(refused, 100, "most damage to a pickle must be detected")
    }
}
