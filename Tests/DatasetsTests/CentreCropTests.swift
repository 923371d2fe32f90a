import Datasets
import Imaging
import TensorCore
import XCTest
import LoupeBase

/// `Preprocessing.crop`: torchvision's resize-then-centre-crop for pretrained weights, as a
/// window of the source that the resize (and any augmentation) then works in.
final class CentreCropTests: XCTestCase {
    private let image = blobImage(width: 64, height: 48, channels: 3, seed: 9)

    func testTheWindowIsTorchvisionsResizeThenCentreCrop() {
        // torchvision on 300x400: the shorter side to 256, keep 224 → 224·300/256 = 262.5 source pixels.
        let p = Preprocessing(width: 224, height: 224, channels: 3, crop: 224.0 / 256)
        let w = p.sourceWindow(width: 300, height: 400)
        XCTAssertEqual(w.width, 262.5, accuracy: 1e-9)
        XCTAssertEqual(w.height, 262.5, accuracy: 1e-9)
        XCTAssertEqual(w.x, (300 - 262.5) / 2, accuracy: 1e-9)
        XCTAssertEqual(w.y, (400 - 262.5) / 2, accuracy: 1e-9)
        // A wide input keeps its own aspect: the window is as wide as fits, then cropped.
        let wide = Preprocessing(width: 32, height: 16, channels: 3, crop: 1).sourceWindow(width: 100, height: 100)
        XCTAssertEqual([wide.x, wide.y, wide.width, wide.height], [0, 25, 100, 50])
        let none = Preprocessing(width: 32, height: 16, channels: 3).sourceWindow(width: 100, height: 80)
        XCTAssertEqual([none.x, none.y, none.width, none.height], [0, 0, 100, 80], "no crop: the whole image, stretched")
    }

    func testRenderingWithACropEqualsRenderingTheCroppedImage() throws {
        // 64x48 → a 24x24 window at (20, 12) for crop 0.5; integer-aligned, so cutting it out first
        // and resizing the cut must give the same pixels.
        let cropped = Preprocessing(width: 16, height: 16, channels: 3, crop: 0.5).render(image)
        let cut = try image.cropped(x: 20, y: 12, width: 24, height: 24)
        let reference = Preprocessing(width: 16, height: 16, channels: 3).render(cut)
        XCTAssertEqual(cropped.values.count, reference.values.count)
        let worst = zip(cropped.values, reference.values).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(worst, 1e-5)
        let whole = Preprocessing(width: 16, height: 16, channels: 3).render(image)
        XCTAssertGreaterThan(zip(whole.values, cropped.values).map { abs($0 - $1) }.max()!, 0.05, "the crop changes what is seen")
    }

    func testAugmentationWorksInsideTheWindow() {
        // A horizontal flip of the cropped input is the mirror image of the unflipped one: the
        // flip turns about the window's centre, not the image's.
        let p = Preprocessing(width: 16, height: 16, channels: 3, crop: 0.5)
        let plain = p.render(image)
        var d = AugmentationDraw(); d.untouched = false; d.flipH = true
        var rng = SeededGenerator(seed: 1)
        let flipped = p.render(image, draw: d, rng: &rng)
        var worst: Float = 0
        for y in 0..<16 {
            for x in 0..<16 {
                for c in 0..<3 {
                    worst = max(worst, abs(flipped.values[(y * 16 + x) * 3 + c] - plain.values[(y * 16 + 15 - x) * 3 + c]))
                }
            }
        }
        XCTAssertLessThan(worst, 1e-5)
    }
}
