/// Padding with a constant value.
extension Image {
    /// The image with `top`, `left`, `bottom` and `right` rows and columns of `value` around it.
    public func padded(top: Int, left: Int, bottom: Int, right: Int, value: UInt8 = 0) throws -> Image {
        for (name, amount) in [("top", top), ("left", left), ("bottom", bottom), ("right", right)] where amount < 0 {
            throw ImageError.invalidArgument(parameter: name, reason: "padding must be 0 or more, got \(amount)")
        }
        let newWidth = width + left + right
        var result = Image(width: newWidth, height: height + top + bottom, channels: channels,
                           pixels: [UInt8](repeating: value, count: newWidth * (height + top + bottom) * channels))
        let rowBytes = width * channels
        for row in 0..<height {
            let to = ((top + row) * newWidth + left) * channels
            result.pixels.replaceSubrange(to..<(to + rowBytes), with: pixels[(row * rowBytes)..<((row + 1) * rowBytes)])
        }
        return result
    }

    /// The image centred on a `width` x `height` canvas of `value` (letterboxing); an odd
    /// margin puts the extra pixel on the right and bottom.
    public func padded(toWidth newWidth: Int, height newHeight: Int, value: UInt8 = 0) throws -> Image {
        guard newWidth >= width, newHeight >= height else {
            throw ImageError.invalidArgument(
                parameter: "size",
                reason: "padding to \(newWidth)x\(newHeight) cannot hold the \(width)x\(height) image")
        }
        let left = (newWidth - width) / 2, top = (newHeight - height) / 2
        return try padded(top: top, left: left, bottom: newHeight - height - top, right: newWidth - width - left,
                          value: value)
    }

    /// The image centred on a square canvas whose side is its longer side.
    public func paddedToSquare(value: UInt8 = 0) throws -> Image {
        let side = max(width, height)
        return try padded(toWidth: side, height: side, value: value)
    }
}
