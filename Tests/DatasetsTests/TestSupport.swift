import Foundation
import Imaging
import TensorCore
import XCTest
import LoupeBase

/// A fresh temporary folder, removed when the test ends.
func temporaryFolder(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "loupe-datasets-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// A seeded random image (noise), different for each seed.
func randomImage(width: Int, height: Int, channels: Int, seed: UInt64) -> Image {
    var rng = SeededGenerator(seed: seed)
    return Image(width: width, height: height, channels: channels,
                 pixels: (0..<(width * height * channels)).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
}

/// A smooth random image: a few random blobs on a gradient, so perceptual hashes are meaningful.
func blobImage(width: Int, height: Int, channels: Int, seed: UInt64) -> Image {
    var rng = SeededGenerator(seed: seed)
    var image = Image(width: width, height: height, channels: channels)
    let blobs = (0..<8).map { _ in (Double(rng.nextFloat()) * Double(width), Double(rng.nextFloat()) * Double(height),
                                   Double(rng.nextFloat()) * Double(width) / 6 + 2,
                                   (0..<channels).map { _ in (Double(rng.nextFloat()) - 0.5) * 400 }) }
    let base = (0..<channels).map { _ in 128 + (Double(rng.nextFloat()) - 0.5) * 60 }
    for y in 0..<height {
        for x in 0..<width {
            for c in 0..<channels {
                var v = base[c]
                for b in blobs {
                    let d2 = (Double(x) - b.0) * (Double(x) - b.0) + (Double(y) - b.1) * (Double(y) - b.1)
                    v += b.3[c] * exp(-d2 / (2 * b.2 * b.2))
                }
                image[x, y, c] = UInt8(max(0, min(255, v)))
            }
        }
    }
    return image
}

/// Mean of all pixel values.
func meanValue(_ image: Image) -> Double {
    Double(image.pixels.reduce(0) { $0 + Int($1) }) / Double(max(1, image.pixels.count))
}
