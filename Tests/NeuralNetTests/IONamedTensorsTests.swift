import NeuralNet
import XCTest

/// The ordered name → tensor map that every reader returns and every writer takes.
final class IONamedTensorsTests: XCTestCase {
    func testOrderIsKeptAcrossReplaceAndRemove() {
        var tensors = NamedTensors()
        tensors["b"] = StoredTensor(shape: [1], floats: [1])
        tensors["a"] = StoredTensor(shape: [], ints: [2])
        tensors["c"] = StoredTensor(shape: [2], floats: [3, 4])
        tensors["a"] = StoredTensor(shape: [], ints: [5])
        XCTAssertEqual(tensors.names, ["b", "a", "c"], "replacing keeps the position")
        XCTAssertEqual(tensors["a"]?.ints, [5])
        tensors["b"] = nil
        XCTAssertEqual(tensors.names, ["a", "c"])
        XCTAssertEqual(tensors["c"]?.floats, [3, 4], "lookup still works after a removal shifts positions")
        XCTAssertFalse(tensors.contains("b"))
        XCTAssertEqual(tensors.map(\.name), ["a", "c"])
        XCTAssertEqual(tensors.dataByteCount, 8 + 8)
        XCTAssertEqual(tensors["a"]?.valuesAsFloats, [5])
    }

    func testBitIdentityDistinguishesWhatEqualityCannot() {
        let nan1 = StoredTensor(shape: [1], floats: [Float(bitPattern: 0x7FC0_0001)])
        let nan2 = StoredTensor(shape: [1], floats: [Float(bitPattern: 0x7FC0_0002)])
        XCTAssertFalse(nan1.isBitIdentical(to: nan2))
        XCTAssertTrue(nan1.isBitIdentical(to: nan1))
        XCTAssertFalse(StoredTensor(shape: [1], floats: [0]).isBitIdentical(to: StoredTensor(shape: [1], floats: [-0.0])))
        XCTAssertFalse(StoredTensor(shape: [2], floats: [1, 2]).isBitIdentical(to: StoredTensor(shape: [2, 1], floats: [1, 2])))
        XCTAssertFalse(StoredTensor(shape: [1], floats: [1]).isBitIdentical(to: StoredTensor(shape: [1], ints: [1])))
    }
}
