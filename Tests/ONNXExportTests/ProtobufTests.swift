import XCTest
@testable import ONNXExport

/// The wire format against byte sequences worked out from protobuf's encoding rules
/// (protobuf.dev "Encoding": 150 → 96 01, a field key is number << 3 | wire type).
final class ProtobufTests: XCTestCase {
    func varint(_ v: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        Protobuf.appendVarint(v, to: &out)
        XCTAssertEqual(out.count, Protobuf.varintSize(v), "size of \(v)")
        return out
    }

    func testVarints() {
        XCTAssertEqual(varint(0), [0x00])
        XCTAssertEqual(varint(1), [0x01])
        XCTAssertEqual(varint(127), [0x7F])
        XCTAssertEqual(varint(128), [0x80, 0x01])
        XCTAssertEqual(varint(150), [0x96, 0x01])
        XCTAssertEqual(varint(300), [0xAC, 0x02])
        XCTAssertEqual(varint(16_384), [0x80, 0x80, 0x01])
        XCTAssertEqual(varint(UInt64(Int32.max)), [0xFF, 0xFF, 0xFF, 0xFF, 0x07])
        XCTAssertEqual(varint(UInt64.max), [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
    }

    func testNegativeIntIsTenBytes() {
        var m = ProtoMessage()
        m.int(3, -1)
        XCTAssertEqual(m.serialized(), [0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        XCTAssertEqual(m.size, 11)
    }

    func testScalarFields() {
        var m = ProtoMessage()
        m.int(1, 150)          // 08 96 01
        m.string(2, "testing") // 12 07 74 65 73 74 69 6e 67
        m.float(2, 1.0)        // 15 00 00 80 3f
        m.int(20, 2)           // a0 01 02 (field 20: key 160 is two bytes)
        XCTAssertEqual(m.serialized(), [0x08, 0x96, 0x01,
                                        0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6E, 0x67,
                                        0x15, 0x00, 0x00, 0x80, 0x3F,
                                        0xA0, 0x01, 0x02])
    }

    func testRawFloatsAreLittleEndian() {
        var m = ProtoMessage()
        m.rawFloats(9, [1.0, -2.0])
        XCTAssertEqual(m.serialized(), [0x4A, 0x08, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0])
    }

    /// OperatorSetIdProto { domain: "", version: 17 } inside ModelProto.opset_import (field 8),
    /// and a StringStringEntryProto in metadata_props (field 14).
    func testSmallNestedMessages() {
        var opset = ProtoMessage()
        opset.string(1, "")
        opset.int(2, 17)
        XCTAssertEqual(opset.serialized(), [0x0A, 0x00, 0x10, 0x11])
        var entry = ProtoMessage()
        entry.string(1, "a")
        entry.string(2, "b")
        var model = ProtoMessage()
        model.int(1, 8)
        model.message(8, opset)
        model.message(14, entry)
        XCTAssertEqual(model.serialized(), [0x08, 0x08,
                                            0x42, 0x04, 0x0A, 0x00, 0x10, 0x11,
                                            0x72, 0x06, 0x0A, 0x01, 0x61, 0x12, 0x01, 0x62])
        XCTAssertEqual(model.size, 16)
    }

    /// A node with an ints attribute: NodeProto { input "x", output "y", name "n", op_type "Relu",
    /// attribute { name "a", ints [1, 2], type INTS (7) } }.
    func testNodeMessage() {
        let node = ONNXNode("Relu", name: "n", inputs: ["x"], outputs: ["y"], attributes: [ONNXAttribute("a", .ints([1, 2]))])
        let attribute: [UInt8] = [0x0A, 0x01, 0x61, 0x40, 0x01, 0x40, 0x02, 0xA0, 0x01, 0x07]
        XCTAssertEqual(node.message.serialized(), [0x0A, 0x01, 0x78, 0x12, 0x01, 0x79, 0x1A, 0x01, 0x6E,
                                                   0x22, 0x04, 0x52, 0x65, 0x6C, 0x75,
                                                   0x2A, UInt8(attribute.count)] + attribute)
    }

    func testComputedSizeMatchesSerializedForDeepMessages() {
        var inner = ProtoMessage()
        inner.rawFloats(9, [Float](repeating: 0.5, count: 40))  // 160 bytes: a two-byte length
        var middle = ProtoMessage()
        for _ in 0..<3 { middle.message(5, inner) }
        var outer = ProtoMessage()
        outer.message(7, middle)
        XCTAssertEqual(outer.serialized().count, outer.size)
        XCTAssertEqual(inner.size, 1 + 2 + 160)
        XCTAssertEqual(outer.size, 1 + 2 + 3 * (1 + 2 + 163))
    }
}
