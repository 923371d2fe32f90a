import Datasets
import Imaging
import TensorCore
import XCTest
import LoupeBase

final class AugmentationTests: XCTestCase {
    private let image = blobImage(width: 21, height: 15, channels: 3, seed: 5)

    /// Renders `image` through one hand-made draw at its own size.
    private func render(_ d: AugmentationDraw, _ img: Image? = nil) -> Image {
        let src = img ?? image
        var rng = SeededGenerator(seed: 1)
        var draw = d
        draw.untouched = false
        return Preprocessing(width: src.width, height: src.height, channels: src.channels == 1 ? 1 : 3)
            .render(src, draw: draw, rng: &rng).toImage()
    }

    /// The first draw (over seeds) for which `accept` holds.
    private func draw(_ s: AugmentationSettings, where accept: (AugmentationDraw) -> Bool) -> (AugmentationDraw, UInt64) {
        for seed in UInt64(0)..<1000 {
            var rng = SeededGenerator(seed: seed)
            let d = s.draw(using: &rng)
            if accept(d) { return (d, seed) }
        }
        XCTFail("no draw satisfied the condition")
        return (AugmentationDraw(), 0)
    }

    func testUntouchedDrawOnlyResizes() {
        XCTAssertEqual(render(AugmentationDraw()), image, "identity geometry at the same size is exact")
    }

    func testHorizontalFlipMirrorsAndVerticalFlipTurnsUpsideDown() {
        var s = AugmentationSettings(); s.flipH = true; s.originals = 0
        let (d, seed) = draw(s) { $0.flipH }
        var rng = SeededGenerator(seed: seed)
        let out = s.apply(image, rng: &rng)
        XCTAssertTrue(d.flipH)
        for y in 0..<15 { for x in 0..<21 { for c in 0..<3 { XCTAssertEqual(out[x, y, c], image[20 - x, y, c]) } } }
        var v = AugmentationDraw(); v.flipV = true
        let up = render(v)
        for y in 0..<15 { for x in 0..<21 { XCTAssertEqual(up[x, y, 1], image[x, 14 - y, 1]) } }
    }

    func testRotationKeepsTheCentrePixelAndMovesTheRest() {
        var s = AugmentationSettings(); s.rotate = 40; s.originals = 0
        let (d, seed) = draw(s) { abs($0.angle) > 0.3 }
        var rng = SeededGenerator(seed: seed)
        let out = s.apply(image, rng: &rng)
        XCTAssertNotEqual(d.angle, 0)
        for c in 0..<3 { XCTAssertEqual(out[10, 7, c], image[10, 7, c]) }
        XCTAssertNotEqual(out, image)
    }

    func testQuarterTurns() {
        let square = blobImage(width: 9, height: 9, channels: 1, seed: 2)
        var half = AugmentationDraw(); half.turns = 2
        let turned = render(half, square)
        for y in 0..<9 { for x in 0..<9 { XCTAssertEqual(turned[x, y, 0], square[8 - x, 8 - y, 0]) } }
        var quarter = AugmentationDraw(); quarter.turns = 1
        let q = render(quarter, square)
        let clockwise = (0..<81).allSatisfy { q[$0 % 9, $0 / 9, 0] == square[$0 / 9, 8 - $0 % 9, 0] }
        let counter = (0..<81).allSatisfy { q[$0 % 9, $0 / 9, 0] == square[8 - $0 / 9, $0 % 9, 0] }
        XCTAssertTrue(clockwise || counter, "a quarter turn is an exact 90° rotation")
    }

    /// A horizontal ramp: value 10·x in every channel.
    private var ramp: Image {
        var r = Image(width: 21, height: 5, channels: 1)
        for y in 0..<5 { for x in 0..<21 { r[x, y, 0] = UInt8(10 * x) } }
        return r
    }

    func testZoomAndCropMagnifyAroundTheCentre() {
        var z = AugmentationDraw(); z.scale = 2
        let zoomed = render(z, ramp)
        XCTAssertEqual(zoomed[10, 2, 0], 100, "the centre stays")
        XCTAssertEqual(Int(zoomed[14, 2, 0]) - Int(zoomed[10, 2, 0]), 20, "slope halves at zoom 2")
        var c = AugmentationDraw(); c.cropWidth = 0.5
        XCTAssertEqual(render(c, ramp), zoomed, "a centred half-width crop resized back is a 2× zoom")
        var s = AugmentationSettings(); s.zoom = 0.3; s.originals = 0
        let (d, _) = draw(s) { $0.scale != 1 }
        XCTAssertTrue((0.7...1.3).contains(d.scale))
    }

    func testRandomCropAndShiftDrawsStayInTheirRanges() {
        var s = AugmentationSettings(); s.crop = 0.4; s.translate = 0.1; s.originals = 0
        var rng = SeededGenerator(seed: 8)
        var smallest = 1.0
        for _ in 0..<500 {
            let d = s.draw(using: &rng)
            let area = d.cropWidth * d.cropHeight
            smallest = min(smallest, area)
            XCTAssertGreaterThanOrEqual(area, 0.6 - 1e-9)
            XCTAssertLessThanOrEqual(abs(d.cropX) + d.cropWidth / 2, 0.5 + 1e-9, "the window stays inside the image")
            XCTAssertLessThanOrEqual(abs(d.shiftX), 0.1)
        }
        XCTAssertLessThan(smallest, 0.65, "the whole range is used")
        let rgba = Image(width: 3, height: 3, channels: 2, pixels: [UInt8](repeating: 90, count: 18))
        var rng2 = SeededGenerator(seed: 1)
        XCTAssertEqual(s.apply(rgba, rng: &rng2).channels, 1, "grey+alpha becomes grey")
    }

    func testTranslationShiftsContent() {
        var t = AugmentationDraw(); t.shiftX = 4.0 / 21
        let moved = render(t, ramp)
        for x in 4..<21 { XCTAssertEqual(moved[x, 2, 0], ramp[x - 4, 2, 0]) }
    }

    func testShearSlidesRowsInOppositeDirections() {
        var d = AugmentationDraw(); d.shear = .pi / 8
        let sheared = render(d, ramp)
        XCTAssertEqual(sheared[10, 2, 0], ramp[10, 2, 0], "the middle row stays")
        XCTAssertNotEqual(sheared[10, 0, 0], ramp[10, 0, 0])
        XCTAssertEqual(Int(sheared[10, 0, 0]) - 100, 100 - Int(sheared[10, 4, 0]), "top and bottom move opposite ways")
    }

    func testBrightnessMovesTheMeanTheRightWay() {
        var up = AugmentationDraw(); up.brightness = 1.3
        var down = AugmentationDraw(); down.brightness = 0.7
        XCTAssertGreaterThan(meanValue(render(up)), meanValue(image) + 5)
        XCTAssertLessThan(meanValue(render(down)), meanValue(image) - 5)
    }

    func testContrastSaturationAndHue() {
        func spread(_ i: Image) -> Double {
            let m = meanValue(i)
            return i.pixels.reduce(0) { $0 + (Double($1) - m) * (Double($1) - m) } / Double(i.pixels.count)
        }
        var low = AugmentationDraw(); low.contrast = 0.5
        let flat = render(low)
        XCTAssertLessThan(spread(flat), spread(image) * 0.4)
        XCTAssertEqual(meanValue(flat), meanValue(image), accuracy: 6)
        var grey = AugmentationDraw(); grey.saturation = 0
        let g = render(grey)
        for p in 0..<(21 * 15) { XCTAssertEqual(Int(g.pixels[3 * p]), Int(g.pixels[3 * p + 2]), accuracy: 1) }
        let red = Image(width: 2, height: 2, channels: 3, pixels: [UInt8](repeating: 0, count: 12).enumerated().map { $0.offset % 3 == 0 ? 200 : 30 })
        var h = AugmentationDraw(); h.hue = 1.0 / 3
        let shifted = render(h, red)
        XCTAssertLessThan(shifted[0, 0, 0], shifted[0, 0, 1], "a third of the circle turns red towards green")
    }

    func testNoiseBlurAndErase() {
        let flatGrey = Image(width: 40, height: 40, channels: 1, pixels: [UInt8](repeating: 128, count: 1600))
        var n = AugmentationDraw(); n.noise = 0.1
        let noisy = render(n, flatGrey)
        let sd = (noisy.pixels.reduce(0.0) { $0 + (Double($1) - 128) * (Double($1) - 128) } / 1600).squareRoot()
        XCTAssertEqual(sd, 25.5, accuracy: 3)
        var b = AugmentationDraw(); b.blurSigma = 2
        let speckled = randomImage(width: 40, height: 40, channels: 1, seed: 9)
        let blurred = render(b, speckled)
        func variance(_ i: Image) -> Double { let m = meanValue(i); return i.pixels.reduce(0) { $0 + (Double($1) - m) * (Double($1) - m) } / Double(i.pixels.count) }
        XCTAssertLessThan(variance(blurred), variance(speckled) / 10)
        XCTAssertEqual(meanValue(blurred), meanValue(speckled), accuracy: 2)

        var s = AugmentationSettings(); s.erase = 1; s.originals = 0
        var rng = SeededGenerator(seed: 4)
        let bright = Image(width: 40, height: 40, channels: 3, pixels: [UInt8](repeating: 200, count: 4800))
        let erased = s.apply(bright, rng: &rng)
        let zeros = stride(from: 0, to: 4800, by: 3).filter { erased.pixels[$0] == 0 }.count
        XCTAssertTrue((32...528).contains(zeros), "erases 2–33% of the area, got \(zeros) of 1600 pixels")
        XCTAssertTrue(stride(from: 0, to: 4800, by: 3).allSatisfy { erased.pixels[$0] == 0 || erased.pixels[$0] == 200 })
    }

    func testOriginalsShareIsLeftUntouched() {
        var s = AugmentationSettings(); s.brightness = 0.5
        for share in [0.2, 0.5] {
            s.originals = share
            var rng = SeededGenerator(seed: 11)
            let untouched = (0..<4000).filter { _ in s.draw(using: &rng).untouched }.count
            XCTAssertEqual(Double(untouched) / 4000, share, accuracy: 0.03)
        }
        XCTAssertEqual(AugmentationSettings().originals, 0.2)
    }

    func testWarningsForRiskySettings() {
        var s = AugmentationSettings(); s.flipH = true; s.rotate = 10
        let photo = blobImage(width: 30, height: 30, channels: 3, seed: 1)
        XCTAssertEqual(s.warnings(aspectRatios: [1, 1.2], inputWidth: 224, inputHeight: 224, samples: [photo]), [])
        s.flipV = true; s.rotate90 = true; s.zoom = 0.5; s.brightness = 1
        let w = s.warnings(aspectRatios: [3, 3, 1], inputWidth: 28, inputHeight: 28, samples: [photo])
        XCTAssertEqual(Set(w.map(\.parameter)), ["flip_v", "rotate90", "zoom", "brightness"])
        XCTAssertThrowsError(try { var bad = AugmentationSettings(); bad.hue = 0.8; try bad.validate() }())
    }
}
