/// Flips, quarter turns and the EXIF orientations built from them.
extension Image {
    /// Mirror image left to right.
    public func flippedHorizontally() -> Image {
        remapped(width: width, height: height) { x, y in (width - 1 - x, y) }
    }

    /// Mirror image top to bottom.
    public func flippedVertically() -> Image {
        remapped(width: width, height: height) { x, y in (x, height - 1 - y) }
    }

    /// Turned a quarter turn clockwise (width and height swap).
    public func rotated90Clockwise() -> Image {
        remapped(width: height, height: width) { x, y in (y, height - 1 - x) }
    }

    /// Turned a quarter turn counter-clockwise (width and height swap).
    public func rotated90CounterClockwise() -> Image {
        remapped(width: height, height: width) { x, y in (width - 1 - y, x) }
    }

    /// Turned half a turn.
    public func rotated180() -> Image {
        remapped(width: width, height: height) { x, y in (width - 1 - x, height - 1 - y) }
    }

    /// Mirrored across the main diagonal (pixel (x, y) moves to (y, x)).
    public func transposed() -> Image {
        remapped(width: height, height: width) { x, y in (y, x) }
    }

    /// Mirrored across the anti-diagonal.
    public func transversed() -> Image {
        remapped(width: height, height: width) { x, y in (width - 1 - y, height - 1 - x) }
    }

    /// The upright picture for an EXIF orientation value (1...8; anything else leaves it as is).
    ///
    /// The value says how the stored pixels must be turned for display, as Pillow's
    /// `ImageOps.exif_transpose` reads it: 2 mirror, 3 half turn, 4 vertical mirror,
    /// 5 transpose, 6 quarter turn clockwise, 7 transverse, 8 quarter turn counter-clockwise.
    public func applyingEXIFOrientation(_ orientation: Int) -> Image {
        switch orientation {
        case 2: return flippedHorizontally()
        case 3: return rotated180()
        case 4: return flippedVertically()
        case 5: return transposed()
        case 6: return rotated90Clockwise()
        case 7: return transversed()
        case 8: return rotated90CounterClockwise()
        default: return self
        }
    }

    /// A new image whose pixel (x, y) is this image's pixel `source(x, y)`.
    private func remapped(width newWidth: Int, height newHeight: Int,
                          source: (Int, Int) -> (Int, Int)) -> Image {
        var result = Image(width: newWidth, height: newHeight, channels: channels)
        pixels.withUnsafeBufferPointer { input in
            result.pixels.withUnsafeMutableBufferPointer { output in
                for y in 0..<newHeight {
                    for x in 0..<newWidth {
                        let (sourceX, sourceY) = source(x, y)
                        let from = (sourceY * width + sourceX) * channels
                        let to = (y * newWidth + x) * channels
                        for c in 0..<channels { output[to + c] = input[from + c] }
                    }
                }
            }
        }
        return result
    }
}
