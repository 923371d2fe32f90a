import Foundation
import XCTest
import TensorCore
import NeuralNet
import Datasets
import Imaging
import Workflow

final class PredictionFolderTests: XCTestCase {
    func testEveryReadableImageIsPredictedInPathOrderAndBadFilesAreListed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-predict-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        for i in 0..<5 {
            var image = Image(width: 12, height: 10, channels: 3)
            for p in 0..<image.pixels.count { image.pixels[p] = UInt8((p * 7 + i * 31) % 256) }
            try image.writePNG(to: folder.appendingPathComponent(i < 3 ? "img\(i).png" : "sub/img\(i).png").path)
        }
        try Data("nope".utf8).write(to: folder.appendingPathComponent("bad.png"))
        var config = try ResNetConfig.resnet(depth: 20, classes: 3, inputChannels: 1)
        config.stages = [1, 1, 1]
        let metadata = ModelMetadata(architecture: config, classNames: ["a", "b", "c"], inputWidth: 8, inputHeight: 8,
                                     normalization: .none(channels: 1), id: "x")
        var calls: [(Int, Int)] = []
        let outcome = try predictFolder(ResNet(config, seed: 1), metadata: metadata, folder: folder.path, top: 2, batchSize: 2,
                                        progress: { calls.append(($0, $1)) })
        XCTAssertEqual(outcome.predictions.count, 5)
        XCTAssertEqual(outcome.predictions.map { ($0.path as NSString).lastPathComponent }, ["img0.png", "img1.png", "img2.png", "img3.png", "img4.png"])
        XCTAssertEqual(outcome.unreadable.map { ($0.path as NSString).lastPathComponent }, ["bad.png"])
        for p in outcome.predictions {
            XCTAssertEqual(p.top.count, 2)
            XCTAssertGreaterThanOrEqual(p.top[0].confidence, p.top[1].confidence)
            XCTAssertNotEqual(p.top[0].label, p.top[1].label)
        }
        XCTAssertEqual(calls.map(\.0), [0, 2, 4, 6], "the unreadable file is decoded (and dropped) in its batch")
        XCTAssertEqual(Set(calls.map(\.1)), [6])
        XCTAssertThrowsError(try predictFolder(ResNet(config, seed: 1), metadata: metadata, folder: folder.path, shouldStop: { true })) { error in
            XCTAssertEqual(error as? PredictionError, .interrupted(done: 0, total: 6))
        }
    }
}
