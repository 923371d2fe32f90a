/// Cropping: a region of interest, or the centre.
extension Image {
    /// The region `width` x `height` whose top-left corner is (`x`, `y`).
    ///
    /// Throws `invalidArgument(parameter: "roi", ...)` when the region is empty or reaches
    /// outside the image, saying by how much.
    public func cropped(x: Int, y: Int, width regionWidth: Int, height regionHeight: Int) throws -> Image {
        let region = "region (x: \(x), y: \(y), width: \(regionWidth), height: \(regionHeight))"
        guard regionWidth > 0, regionHeight > 0 else {
            throw ImageError.invalidArgument(parameter: "roi", reason: "\(region) is empty")
        }
        var problems: [String] = []
        if x < 0 { problems.append("x is negative") }
        if y < 0 { problems.append("y is negative") }
        if x + regionWidth > width { problems.append("x + width = \(x + regionWidth) > \(width)") }
        if y + regionHeight > height { problems.append("y + height = \(y + regionHeight) > \(height)") }
        guard problems.isEmpty else {
            throw ImageError.invalidArgument(
                parameter: "roi",
                reason: "\(region) reaches outside the \(width)x\(height) image (\(problems.joined(separator: ", ")))")
        }
        var result = Image(width: regionWidth, height: regionHeight, channels: channels)
        let rowBytes = regionWidth * channels
        for row in 0..<regionHeight {
            let from = ((y + row) * width + x) * channels
            result.pixels.replaceSubrange((row * rowBytes)..<((row + 1) * rowBytes), with: pixels[from..<(from + rowBytes)])
        }
        return result
    }

    /// The centred `width` x `height` region (when the margins are odd, the extra pixel is
    /// left on the right and bottom, as torchvision's `CenterCrop` does).
    public func centerCropped(width regionWidth: Int, height regionHeight: Int) throws -> Image {
        guard regionWidth <= width, regionHeight <= height else {
            throw ImageError.invalidArgument(
                parameter: "size",
                reason: "a centre crop of \(regionWidth)x\(regionHeight) does not fit in the \(width)x\(height) image")
        }
        return try cropped(x: (width - regionWidth) / 2, y: (height - regionHeight) / 2,
                           width: regionWidth, height: regionHeight)
    }
}
