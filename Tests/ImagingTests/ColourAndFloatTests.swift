import Imaging
import XCTest

final class ColourAndFloatTests: XCTestCase {
    func testGreyConversionMatchesPillow() throws {
        // gray8.png is Pillow's convert("L") of rgb8.png.
        let rgb = try decodeImage(path: Fixtures.path("rgb8.png"))
        let grey = try decodeImage(path: Fixtures.path("gray8.png"))
        XCTAssertEqual(rgb.toGrey(), grey)
    }

    func testGreyRGBRoundTrip() throws {
        let grey = PNGTests.pattern(width: 7, height: 5, channels: 1)
        let rgb = grey.toRGB()
        XCTAssertEqual(rgb.channels, 3)
        XCTAssertEqual([rgb[3, 2, 0], rgb[3, 2, 1], rgb[3, 2, 2]], [grey[3, 2, 0], grey[3, 2, 0], grey[3, 2, 0]])
        XCTAssertEqual(rgb.toGrey(), grey, "equal R, G and B give back the grey exactly")
        XCTAssertEqual(try grey.withChannels(3), rgb)
        XCTAssertEqual(rgb.toRGBA().droppingAlpha(), rgb)
        XCTAssertEqual(rgb.toRGBA()[1, 1, 3], 255)
        XCTAssertThrowsError(try grey.withChannels(2))
    }

    func testFloatHWCAndCHW() {
        let image = Image(width: 2, height: 1, channels: 3, pixels: [0, 255, 51, 255, 0, 102])
        let mean: [Float] = [0.5, 0, 0.2], std: [Float] = [0.5, 1, 0.1]
        let hwc = image.toFloatHWC(mean: mean, std: std)
        let expected: [Float] = [-1, 1, 0, 1, 0, 2]
        for (value, want) in zip(hwc, expected) { XCTAssertEqual(value, want, accuracy: 1e-6) }
        let chw = image.toFloatCHW(mean: mean, std: std)
        XCTAssertEqual(chw, [hwc[0], hwc[3], hwc[1], hwc[4], hwc[2], hwc[5]])
        // Same arithmetic as torchvision: (x / 255 - mean) / std in Float32.
        XCTAssertEqual(image.toFloatHWC(mean: ImageNet.mean, std: ImageNet.std)[2], (Float(51) / 255 - 0.406) / 0.225)
        XCTAssertEqual(Image(width: 1, height: 1, channels: 1, pixels: [255]).toFloatHWC(mean: [0], std: [1]), [1])
    }

    func testImageNetConstantsForGrey() {
        XCTAssertEqual(ImageNet.mean(channels: 3), [0.485, 0.456, 0.406])
        XCTAssertEqual(ImageNet.mean(channels: 1)[0], 0.449, accuracy: 1e-6)
        XCTAssertEqual(ImageNet.std(channels: 1)[0], 0.226, accuracy: 1e-6)
    }

    func testChannelStatistics() throws {
        let first = Image(width: 2, height: 1, channels: 3, pixels: [0, 255, 51, 255, 255, 51])
        let second = Image(width: 1, height: 2, channels: 3, pixels: [0, 255, 51, 255, 255, 51])
        let statistics = try ChannelStatistics.of([first, second], channels: 3)
        XCTAssertEqual(statistics.count, 4)
        for (value, want) in zip(statistics.mean, [Float(0.5), 1, 0.2]) { XCTAssertEqual(value, want, accuracy: 1e-6) }
        for (value, want) in zip(statistics.std, [Float(0.5), 0, 0]) { XCTAssertEqual(value, want, accuracy: 1e-6) }
        var merged = try ChannelStatistics.of([first], channels: 3)
        merged.merge(try ChannelStatistics.of([second], channels: 3))
        XCTAssertEqual(merged, statistics)
        var grey = ChannelStatistics(channels: 1)
        XCTAssertThrowsError(try grey.add(first))
    }
}
