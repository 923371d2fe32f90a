import Imaging
import XCTest

/// Limits are checked from the header, before any pixel memory is allocated.
final class LimitsTests: XCTestCase {
    func testHugeDimensionsRefusedFromTheHeader() throws {
        let path = Fixtures.path("huge_dims.png")
        // The file holds 1000 zero bytes of image data, far from 100000x100000x3: only a check
        // made from IHDR, before decoding, reports the size (a decoder would say "truncated").
        for limits in [ImageLimits.default, ImageLimits(maxPixels: 100_000_000, maxSide: 1_000_000)] {
            XCTAssertThrowsError(try decodeImage(path: path, limits: limits)) { error in
                guard case .tooLarge(let source, let width, let height, _) = error as? ImageError else {
                    return XCTFail("\(error)")
                }
                XCTAssertEqual(source, path)
                XCTAssertEqual([width, height], [100_000, 100_000])
            }
        }
    }

    func testSmallLimitsRefuseOrdinaryFiles() throws {
        let tight = ImageLimits(maxPixels: 100)
        for name in ["rgb8.png", "baseline.jpg", "progressive.jpg"] {
            XCTAssertThrowsError(try decodeImage(path: Fixtures.path(name), limits: tight)) { error in
                guard case .tooLarge = error as? ImageError else { return XCTFail("\(name): \(error)") }
            }
        }
        XCTAssertNoThrow(try decodeImage(path: Fixtures.path("rgb8.png"), limits: ImageLimits(maxPixels: 37 * 23)))
    }

    func testFileSizeLimitIsCheckedBeforeReading() {
        let path = Fixtures.path("rgb8.png")
        XCTAssertThrowsError(try decodeImage(path: path, limits: ImageLimits(maxFileBytes: 100))) { error in
            XCTAssertEqual(error as? ImageError, .fileTooLarge(source: path, bytes: 1869, limit: 100))
        }
    }

    func testMissingFileAndFolderAreUnreadable() {
        for path in ["/nonexistent/loupe.png", Fixtures.imagesFolder] {
            XCTAssertThrowsError(try decodeImage(path: path)) { error in
                guard case .unreadable(let source, _) = error as? ImageError else { return XCTFail("\(error)") }
                XCTAssertEqual(source, path)
            }
        }
    }

    /// Cut and damaged copies of good files must throw ImageError or decode, never crash.
    func testCutAndDamagedFilesNeverCrash() throws {
        for name in ["rgb8.png", "baseline.jpg", "progressive.jpg", "cmyk.jpg", "exif_rot6.jpg", "palette.png"] {
            let bytes = try Fixtures.bytes(name)
            var refused = 0
            for cut in stride(from: 0, to: bytes.count, by: 5) {
                do { _ = try decodeImage(bytes: Array(bytes[..<cut]), source: name) } catch is ImageError { refused += 1 }
            }
            // Every cut PNG is refused (IEND is missing); most cut JPEGs too.
            XCTAssertGreaterThan(refused, bytes.count / 5 / 2, name)
            for position in stride(from: 2, to: bytes.count, by: 3) {
                var damaged = bytes
                damaged[position] ^= 0x5A
                do { _ = try decodeImage(bytes: damaged, source: name) } catch is ImageError {}
            }
        }
    }
}

extension LimitsTests {
    func testOtherFormatsAndSignatureStubs() {
        func error(_ bytes: [UInt8]) -> ImageError? {
            do { _ = try decodeImage(bytes: bytes, source: "s"); return nil } catch { return error as? ImageError }
        }
        guard case .unsupported(_, let detail) = error(Array("GIF89a".utf8) + [UInt8](repeating: 0, count: 20)) else {
            return XCTFail("GIF not recognised")
        }
        XCTAssertTrue(detail.contains("GIF"), detail)
        guard case .truncated = error([0x89, 0x50, 0x4E, 0x47]) else { return XCTFail("PNG stub: \(String(describing: error([0x89, 0x50, 0x4E, 0x47])))") }
        guard case .truncated = error([0xFF, 0xD8]) else { return XCTFail("JPEG stub: \(String(describing: error([0xFF, 0xD8])))") }
        XCTAssertEqual(error([0x00, 0x01, 0x02]), .notAnImage(source: "s"))
    }
}
