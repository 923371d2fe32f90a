/// Bounds a decoder checks against a file's header before it allocates anything for pixels.
///
/// They protect a batch job from one hostile or mistaken file (a header claiming
/// 100000x100000 pixels would otherwise ask for 30 GB).
public struct ImageLimits: Sendable, Equatable {
    /// Largest width * height accepted.
    public var maxPixels: Int
    /// Largest width or height accepted.
    public var maxSide: Int
    /// Largest file read from disk, in bytes (checked from the file size before reading it).
    public var maxFileBytes: Int

    public init(maxPixels: Int = 100_000_000, maxSide: Int = 65_535, maxFileBytes: Int = 1 << 30) {
        self.maxPixels = maxPixels
        self.maxSide = maxSide
        self.maxFileBytes = maxFileBytes
    }

    /// 100 million pixels, 65535 pixels a side, 1 GiB files.
    public static let `default` = ImageLimits()

    /// Throws `ImageError.tooLarge` when a header's geometry exceeds the limits.
    public func check(width: Int, height: Int, source: String) throws(ImageError) {
        if width > maxSide || height > maxSide {
            throw .tooLarge(source: source, width: width, height: height,
                            limit: "at most \(maxSide) pixels a side")
        }
        // Both sides are at most maxSide here, so the product cannot overflow.
        if width * height > maxPixels {
            throw .tooLarge(source: source, width: width, height: height,
                            limit: "at most \(maxPixels) pixels")
        }
    }
}
