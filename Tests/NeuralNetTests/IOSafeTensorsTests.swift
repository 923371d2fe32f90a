import NeuralNet
import XCTest

/// safetensors encoding, decoding, and refusal of damaged or hostile files.
final class IOSafeTensorsTests: XCTestCase {
    private func sample() -> NamedTensors {
        NamedTensors([
            ("conv1.weight", StoredTensor(shape: [2, 1, 1, 3], floats: [1, -2.5, .pi, -0.0, .infinity, Float(bitPattern: 0x7FC0_1234)])),
            ("bn1.num_batches_tracked", StoredTensor(shape: [], ints: [Int64.max])),
            ("bn1.running_mean", StoredTensor(shape: [3], floats: [0.1, 0.2, 0.3])),
            ("empty", StoredTensor(shape: [0, 4], floats: [])),
            ("labels", StoredTensor(shape: [2], ints: [-1, 7])),
        ])
    }

    /// A safetensors file from a hand-written header and data, for cases the encoder never writes.
    private func handMade(_ header: String, data: [UInt8] = [], padHeader: Bool = false) -> [UInt8] {
        var json = Array(header.utf8)
        if padHeader { json += Array(repeating: UInt8(ascii: " "), count: (8 - json.count % 8) % 8) }
        return withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init) + json + data
    }

    func testEncodeThenReadGivesIdenticalTensorsAndMetadata() throws {
        let tensors = sample()
        let metadata = ["loupe": "{\"classes\": [\"ok\", \"défaut\"]}", "note": "tab\there \"quoted\" \u{1}", "émoji": "🔍"]
        let bytes = SafeTensors.encode(tensors, metadata: metadata)
        let (read, readMetadata) = try SafeTensors.read(bytes: bytes, source: "memory")
        XCTAssertTrue(read.isBitIdentical(to: tensors), "read \(read.names)")
        XCTAssertEqual(read.names, tensors.names)
        XCTAssertEqual(readMetadata, metadata)
    }

    func testEncodingIsDeterministicAndAligned() throws {
        let bytes = SafeTensors.encode(sample(), metadata: ["b": "2", "a": "1"])
        XCTAssertEqual(bytes, SafeTensors.encode(sample(), metadata: ["a": "1", "b": "2"]))
        let headerLength = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        XCTAssertEqual((8 + headerLength) % 8, 0, "the data section must start on a multiple of 8")
        let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        XCTAssertTrue(header.hasPrefix("{\"__metadata__\":{\"a\":\"1\",\"b\":\"2\"}"), header)
        // int64 data first, so every tensor sits on a multiple of its element size.
        XCTAssertTrue(header.contains("\"bn1.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}"), header)
        XCTAssertTrue(header.contains("\"labels\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[8,24]}"), header)
        XCTAssertTrue(header.contains("\"conv1.weight\":{\"dtype\":\"F32\",\"shape\":[2,1,1,3],\"data_offsets\":[24,48]}"), header)
        XCTAssertEqual(bytes.count, 8 + headerLength + 8 + 16 + 24 + 12)
    }

    func testFixtureFileReencodesToTheSameTensors() throws {
        let (tensors, metadata) = try SafeTensors.read(path: IOFixtures.torchFolder + "/tinyresnet.safetensors")
        XCTAssertEqual(tensors["labels"]?.dtype, .i64)
        XCTAssertEqual(tensors["labels"]?.shape, [4])
        XCTAssertNotNil(metadata["sgd"])
        let (again, metadataAgain) = try SafeTensors.read(bytes: SafeTensors.encode(tensors, metadata: metadata), source: "re-encoded")
        XCTAssertTrue(again.isBitIdentical(to: tensors))
        XCTAssertEqual(metadataAgain, metadata)
    }

    func testNarrowAndWideTypesAreConverted() throws {
        // F16: 1, -2, 65504, smallest subnormal; BF16: 1.5; F64: 0.1; I32: -3; U8: 255.
        let f16: [UInt8] = [0x00, 0x3C, 0x00, 0xC0, 0xFF, 0x7B, 0x01, 0x00]
        let bf16: [UInt8] = [0xC0, 0x3F]
        let f64 = withUnsafeBytes(of: (0.1 as Double).bitPattern.littleEndian, Array.init)
        let i32 = withUnsafeBytes(of: Int32(-3).littleEndian, Array.init)
        let header = """
            {"h":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[8,10]},\
            "d":{"dtype":"F64","shape":[1],"data_offsets":[10,18]},"i":{"dtype":"I32","shape":[1],"data_offsets":[18,22]},\
            "u":{"dtype":"U8","shape":[1],"data_offsets":[22,23]}}
            """
        let (t, _) = try SafeTensors.read(bytes: handMade(header, data: f16 + bf16 + f64 + i32 + [255]), source: "types")
        XCTAssertEqual(t["h"]?.floats, [1, -2, 65504, Float(sign: .plus, exponent: -24, significand: 1)])
        XCTAssertEqual(t["b"]?.floats, [1.5])
        XCTAssertEqual(t["d"]?.floats, [Float(0.1 as Double)])
        XCTAssertEqual(t["i"]?.ints, [-3])
        XCTAssertEqual(t["u"]?.ints, [255])
    }

    func testUnsupportedDTypeNamesTheTensorAndType() {
        let bytes = handMade(#"{"mask":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}"#, data: [1, 0])
        assertModelFileError(try SafeTensors.read(bytes: bytes, source: "masks.safetensors"),
                             mentions: ["masks.safetensors", "'mask'", "BOOL", "float32"])
    }

    func testTruncatedFilesAreRefusedAtEveryCut() throws {
        let whole = SafeTensors.encode(sample(), metadata: ["loupe": "{}"])
        for cut in [1, 4, 7, 8, 9, 20, whole.count / 2, whole.count - 13, whole.count - 1] {
            assertModelFileError(try SafeTensors.read(bytes: Array(whole[..<cut]), source: "cut-\(cut).loupe"),
                                 mentions: ["cut-\(cut).loupe", "truncated", "byte \(cut)"])
        }
        let fixture = try IOFixtures.bytes("tinyresnet.safetensors")
        for cut in stride(from: 8, to: fixture.count, by: fixture.count / 37) {
            assertModelFileError(try SafeTensors.read(bytes: Array(fixture[..<cut]), source: "t.safetensors"), mentions: ["truncated"])
        }
    }

    func testEmptyAndRandomFilesAreRefused() {
        assertModelFileError(try SafeTensors.read(bytes: [], source: "empty.loupe"), mentions: ["empty.loupe", "empty"])
        var state: UInt64 = 0x1234_5678
        let random = (0..<4096).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        assertModelFileError(try SafeTensors.read(bytes: random, source: "noise.bin"), mentions: ["noise.bin", "not a safetensors file"])
        assertModelFileError(try SafeTensors.read(path: IOFixtures.torchFolder + "/tinyresnet.pth"),
                             mentions: ["tinyresnet.pth", "not a safetensors file", "zip", ".pth"])
    }

    func testAbsurdShapesAreRefusedBeforeAllocation() {
        let overflowing = handMade(#"{"w":{"dtype":"F32","shape":[1099511627776,1099511627776],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])
        assertModelFileError(try SafeTensors.read(bytes: overflowing, source: "huge.safetensors"),
                             mentions: ["huge.safetensors", "'w'", "more than 2^63", "limit"])
        let overLimit = handMade(#"{"w":{"dtype":"F32","shape":[65536,65536],"data_offsets":[0,17179869184]}}"#)
        assertModelFileError(try SafeTensors.read(bytes: overLimit, source: "big.safetensors"),
                             mentions: ["'w'", "4294967296", "limit of 2147483648"])
        let beyondInt = handMade(#"{"w":{"dtype":"F32","shape":[99999999999999999999999],"data_offsets":[0,4]}}"#)
        assertModelFileError(try SafeTensors.read(bytes: beyondInt, source: "x.safetensors"), mentions: ["99999999999999999999999"])
        // Within limits, but the data would lie far beyond the end of the file.
        let pastEnd = handMade(#"{"w":{"dtype":"F32","shape":[1000000],"data_offsets":[0,4000000]}}"#, data: [1, 2, 3, 4])
        assertModelFileError(try SafeTensors.read(bytes: pastEnd, source: "short.safetensors"), mentions: ["truncated", "'w'"])
        var hugeHeader = withUnsafeBytes(of: UInt64(1) << 60, Array.init)
        hugeHeader += Array("{}".utf8)
        assertModelFileError(try SafeTensors.read(bytes: hugeHeader, source: "h.safetensors"), mentions: ["header length", "limit"])
        let tight = FileLimits(maxFileBytes: 1 << 20, maxHeaderBytes: 1 << 20, maxTensorElements: 2, maxTensorCount: 10)
        let three = handMade(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}"#, data: Array(repeating: 0, count: 12))
        assertModelFileError(try SafeTensors.read(bytes: three, source: "s", limits: tight), mentions: ["limit of 2"])
    }

    func testInconsistentHeadersAreRefused() {
        let cases: [(String, [UInt8], [String])] = [
            (#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, [0, 0, 0, 0], ["needs 8 bytes", "span 4"]),
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}"#,
             Array(repeating: 0, count: 8), ["'a'", "'b'", "overlap"]),
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
             [0, 0, 0, 0], ["'a'", "twice"]),
            (#"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, [0, 0, 0, 0], ["negative dimension", "'w'"]),
            (#"{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, [0, 0, 0, 0], ["1.5", "whole number"]),
            (#"{"w":{"dtype":"F32","shape":[1]}}"#, [0, 0, 0, 0], ["data_offsets"]),
            (#"{"__metadata__":{"n":3}}"#, [], ["__metadata__", "not a string"]),
            (#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},}"#, [0, 0, 0, 0], ["damaged", "member name"]),
            (#"{"w":"\ud800"}"#, [], ["surrogate"]),
        ]
        for (header, data, phrases) in cases {
            assertModelFileError(try SafeTensors.read(bytes: handMade(header, data: data), source: "bad.safetensors"),
                                 mentions: ["bad.safetensors"] + phrases)
        }
    }

    /// Random damage to a real file's header and data never crashes the reader.
    func testDamagedHeadersNeverCrash() throws {
        let original = try IOFixtures.bytes("tinyresnet.safetensors")
        let headerEnd = 8 + Int(original[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        var state: UInt64 = 42
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var refused = 0
        for _ in 0..<300 {
            var damaged = original
            for _ in 0...next(4) { damaged[next(headerEnd)] = UInt8(next(256)) }
            do { _ = try SafeTensors.read(bytes: damaged, source: "fuzz") } catch { refused += 1 }
        }
        XCTAssertGreaterThan(refused, 100, "most damage to a header must be detected")
    }
}
