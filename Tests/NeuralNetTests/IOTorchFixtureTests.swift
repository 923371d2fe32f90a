import NeuralNet
import XCTest

/// The `.pth` reader against the same state dicts exported as safetensors by PyTorch.
final class IOTorchFixtureTests: XCTestCase {
    private func assertSameTensors(_ expected: NamedTensors, _ actual: NamedTensors, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(Set(expected.names), Set(actual.names), "different keys", file: file, line: line)
        for (name, want) in expected {
            guard let got = actual[name] else { continue }
            XCTAssertEqual(got.shape, want.shape, "\(name): shape", file: file, line: line)
            XCTAssertEqual(got.dtype, want.dtype, "\(name): dtype", file: file, line: line)
            if !got.isBitIdentical(to: want) {
                let firstDifference = zip(got.floats, want.floats).enumerated().first { $0.element.0.bitPattern != $0.element.1.bitPattern }
                XCTFail("\(name): values differ, first at \(String(describing: firstDifference))", file: file, line: line)
            }
        }
    }

    func testTinyResNetPthMatchesSafetensorsParams() throws {
        let (reference, _) = try SafeTensors.read(path: IOFixtures.torchFolder + "/tinyresnet.safetensors")
        var params = NamedTensors()
        for (name, tensor) in reference where name.hasPrefix("param.") { params[String(name.dropFirst("param.".count))] = tensor }
        XCTAssertGreaterThan(params.count, 40)

        let stateDict = try TorchCheckpoint.readStateDict(path: IOFixtures.torchFolder + "/tinyresnet.pth")
        assertSameTensors(params, stateDict)
        // PyTorch's order: conv1.weight first, fc.bias last.
        XCTAssertEqual(stateDict.names.first, "conv1.weight")
        XCTAssertEqual(stateDict.names.last, "fc.bias")
        let counter = try XCTUnwrap(stateDict["bn1.num_batches_tracked"])
        XCTAssertEqual(counter.dtype, .i64)
        XCTAssertEqual(counter.shape, [])
        XCTAssertEqual(counter.ints, params["bn1.num_batches_tracked"]?.ints)
        XCTAssertEqual(stateDict["conv1.weight"]?.shape, [8, 3, 3, 3])
    }

    func testResNet18PthMatchesSafetensors() throws {
        let (reference, _) = try SafeTensors.read(path: IOFixtures.torchFolder + "/resnet18.safetensors")
        let stateDict = try TorchCheckpoint.readStateDict(path: IOFixtures.torchFolder + "/resnet18.pth")
        XCTAssertEqual(stateDict.count, 122)
        assertSameTensors(reference, stateDict)
        XCTAssertEqual(stateDict["fc.weight"]?.shape, [10, 512])
        XCTAssertEqual(stateDict["layer4.1.bn2.num_batches_tracked"]?.dtype, .i64)
    }

    /// The same entries in a differently laid out archive (sizes in local headers, no data
    /// descriptors, no alignment padding) read the same.
    func testReZippedCheckpointReadsTheSame() throws {
        let original = try IOFixtures.bytes("tinyresnet.pth")
        let rezipped = TestZip.archive(TestZip.entries(of: original))
        XCTAssertNotEqual(original.count, rezipped.count)
        let a = try TorchCheckpoint.readStateDict(bytes: original, source: "original.pth")
        let b = try TorchCheckpoint.readStateDict(bytes: rezipped, source: "rezipped.pth")
        XCTAssertTrue(a.isBitIdentical(to: b))
    }
}
