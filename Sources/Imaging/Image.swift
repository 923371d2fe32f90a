/// An 8-bit image with interleaved channels (row-major, `height` rows of `width * channels` bytes).
///
/// `channels` is 1 (grey), 3 (RGB) or 4 (RGBA; only as an intermediate, e.g. for plots).
/// Every decoder returns this type; every encoder takes it.
public struct Image: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var channels: Int
    /// `height * width * channels` bytes, row-major, channels interleaved (HWC).
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && (1...4).contains(channels), "bad image geometry")
        precondition(pixels.count == width * height * channels, "pixel buffer does not match geometry")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// A black (all-zero) image.
    public init(width: Int, height: Int, channels: Int) {
        self.init(width: width, height: height, channels: channels,
                  pixels: [UInt8](repeating: 0, count: width * height * channels))
    }

    @inlinable public subscript(x: Int, y: Int, c: Int) -> UInt8 {
        get { pixels[(y * width + x) * channels + c] }
        set { pixels[(y * width + x) * channels + c] = newValue }
    }
}
