/// Cutting an image into a grid of patches.
extension Image {
    /// `rows` x `columns` patches in reading order (left to right, then top to bottom).
    ///
    /// Together the patches cover every pixel exactly once. When the size does not divide
    /// evenly, patch edges fall at `i * width / columns` (rounded down), so patches differ by
    /// at most one pixel rather than dropping a remainder.
    public func tiles(rows: Int, columns: Int) throws -> [Image] {
        guard rows >= 1, columns >= 1 else {
            throw ImageError.invalidArgument(parameter: "tile", reason: "needs at least 1x1 patches, got \(rows)x\(columns)")
        }
        guard rows <= height, columns <= width else {
            throw ImageError.invalidArgument(
                parameter: "tile", reason: "\(rows)x\(columns) patches do not fit in the \(width)x\(height) image")
        }
        var patches: [Image] = []
        patches.reserveCapacity(rows * columns)
        for row in 0..<rows {
            let top = row * height / rows, bottom = (row + 1) * height / rows
            for column in 0..<columns {
                let left = column * width / columns, right = (column + 1) * width / columns
                patches.append(try cropped(x: left, y: top, width: right - left, height: bottom - top))
            }
        }
        return patches
    }
}
