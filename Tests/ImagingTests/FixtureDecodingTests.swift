import Imaging
import XCTest

/// Every fixture in ../shared/fixtures/images: the good ones decode to Pillow's pixels, the
/// broken ones give an `ImageError` naming the file.
final class FixtureDecodingTests: XCTestCase {
    /// Largest difference allowed between our JPEG pixels and Pillow's, in levels of 255.
    /// Measured maximum over the five JPEG fixtures (baseline, progressive, grey, CMYK, EXIF):
    /// 0 with libjpeg-turbo 2.1.5 (same accurate integer IDCT and fancy upsampling as the
    /// libjpeg-turbo inside Pillow). One level of slack covers another build rounding a
    /// colour conversion differently; anything more is a real decoding difference.
    static let jpegTolerance = 1

    func testGoodFixturesMatchReferencePixels() throws {
        let reference = try Safetensors(bytes: Fixtures.bytes("reference_pixels.safetensors"))
        let good = try Fixtures.manifest().filter(\.ok)
        XCTAssertGreaterThanOrEqual(good.count, 10)
        for entry in good {
            let path = Fixtures.path(entry.name)
            let image = try decodeImage(path: path)
            guard let expected = reference.tensors[entry.name] else { XCTFail("no reference for \(entry.name)"); continue }
            XCTAssertEqual(expected.dtype, "U8", entry.name)
            let shape = [image.height, image.width] + (image.channels == 1 ? [] : [image.channels])
            guard shape == expected.shape else {
                XCTFail("\(entry.name): shape \(shape), reference \(expected.shape)")
                continue
            }
            // Content decides the tolerance: png_named.jpg is a PNG and must match exactly.
            let isJPEG = ImageFormat.detect(try Fixtures.bytes(entry.name)) == .jpeg
            let differences = zip(image.pixels, expected.bytes).map { abs(Int($0) - Int($1)) }
            let largest = differences.max() ?? 0
            let mean = Double(differences.reduce(0, +)) / Double(max(differences.count, 1))
            print("\(entry.name): max difference \(largest), mean \(mean)")
            XCTAssertLessThanOrEqual(largest, isJPEG ? Self.jpegTolerance : 0,
                                     "\(entry.name): max difference \(largest), mean \(mean)")
        }
    }

    func testBadFixturesThrowImageErrorNamingTheFile() throws {
        let bad = try Fixtures.manifest().filter { !$0.ok }
        XCTAssertGreaterThanOrEqual(bad.count, 7)
        for entry in bad {
            let path = Fixtures.path(entry.name)
            XCTAssertThrowsError(try decodeImage(path: path), entry.name) { error in
                guard let imageError = error as? ImageError else { return XCTFail("\(entry.name): \(error)") }
                XCTAssertEqual(imageError.source, path)
                XCTAssertTrue(imageError.description.contains(entry.name), imageError.description)
            }
        }
    }

    func testEachBrokenFileGivesItsReason() throws {
        func reason(_ name: String) -> ImageError? {
            do { _ = try decodeImage(path: Fixtures.path(name)); return nil } catch { return error as? ImageError }
        }
        let path = Fixtures.path
        XCTAssertEqual(reason("empty.png"), .emptyFile(source: path("empty.png")))
        XCTAssertEqual(reason("not_an_image.jpg"), .notAnImage(source: path("not_an_image.jpg")))
        XCTAssertEqual(reason("garbage.png"), .notAnImage(source: path("garbage.png")))
        XCTAssertEqual(reason("bad_crc.png"), .badCRC(source: path("bad_crc.png"), chunk: "IDA\\xAB"))
        guard case .truncated = reason("truncated.png") else { return XCTFail("truncated.png: \(String(describing: reason("truncated.png")))") }
        guard case .truncated = reason("truncated.jpg") else { return XCTFail("truncated.jpg: \(String(describing: reason("truncated.jpg")))") }
    }
}
