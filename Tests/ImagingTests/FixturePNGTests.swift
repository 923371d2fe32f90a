import Imaging
import XCTest

/// The PNG fixtures decode exactly to Pillow's pixels.
final class FixturePNGTests: XCTestCase {
    func testPNGFixturesMatchReferenceExactly() throws {
        let reference = try Safetensors(bytes: Fixtures.bytes("reference_pixels.safetensors"))
        for name in ["rgb8.png", "gray8.png", "rgba8.png", "palette.png", "gray16.png"] {
            let image = try PNG.decode(Fixtures.bytes(name), source: name)
            guard let expected = reference.tensors[name] else { return XCTFail("no reference for \(name)") }
            XCTAssertEqual(expected.dtype, "U8")
            XCTAssertEqual([image.height, image.width] + (image.channels == 1 ? [] : [image.channels]), expected.shape, name)
            XCTAssertEqual(image.pixels, expected.bytes, name)
        }
    }
}
