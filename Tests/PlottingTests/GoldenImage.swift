import Foundation
import Imaging
import Plotting
import XCTest

/// Pixel-exact comparison of rendered figures with PNG files committed in Tests/PlottingTests/Golden.
///
/// Set LOUPE_RECORD_GOLDEN=1 to (re)write the golden files instead of comparing. On a mismatch the
/// actual image and a diff image (differing pixels in red over a faded copy of the golden) are written
/// to a temporary folder and their paths are printed.
enum GoldenImage {
    static var folder: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path
    }

    static var recording: Bool { ProcessInfo.processInfo.environment["LOUPE_RECORD_GOLDEN"] == "1" }

    static func check(_ image: Image, named name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = folder + "/" + name + ".png"
        if recording {
            try image.writePNG(to: path)
            return
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            XCTFail("no golden image at \(path); record it with LOUPE_RECORD_GOLDEN=1 swift test --filter PlottingTests",
                    file: file, line: line)
            return
        }
        let golden = try PNG.decode([UInt8](data), source: path)
        if golden == image { return }
        let outFolder = NSTemporaryDirectory() + "loupe-golden"
        try FileManager.default.createDirectory(atPath: outFolder, withIntermediateDirectories: true)
        let actualPath = outFolder + "/" + name + ".actual.png"
        try image.writePNG(to: actualPath)
        var message = "\(name): rendered image differs from \(path)\n  actual: \(actualPath)"
        if golden.width == image.width && golden.height == image.height && golden.channels == image.channels {
            let (diff, count, first) = difference(golden, image)
            let diffPath = outFolder + "/" + name + ".diff.png"
            try diff.writePNG(to: diffPath)
            message += "\n  diff:   \(diffPath)\n  \(count) pixels differ, first at x=\(first.0) y=\(first.1)"
        } else {
            message += "\n  size \(image.width)x\(image.height)x\(image.channels), golden \(golden.width)x\(golden.height)x\(golden.channels)"
        }
        print(message)
        XCTFail(message, file: file, line: line)
    }

    /// A faded copy of `a` with every pixel that differs in `b` painted red, the count, and the first differing pixel.
    static func difference(_ a: Image, _ b: Image) -> (Image, Int, (Int, Int)) {
        var out = Image(width: a.width, height: a.height, channels: 3)
        var count = 0
        var first = (-1, -1)
        for y in 0..<a.height {
            for x in 0..<a.width {
                var same = true
                var luma = 0
                for c in 0..<a.channels {
                    same = same && a[x, y, c] == b[x, y, c]
                    luma += Int(a[x, y, c])
                }
                luma /= a.channels
                if same {
                    let faded = UInt8(191 + luma / 4)
                    for c in 0..<3 { out[x, y, c] = faded }
                } else {
                    if count == 0 { first = (x, y) }
                    count += 1
                    out[x, y, 0] = 255
                }
            }
        }
        return (out, count, first)
    }
}
