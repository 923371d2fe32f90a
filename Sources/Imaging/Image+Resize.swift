/// Resizing: bilinear when enlarging, area averaging when shrinking.
///
/// Each axis is resampled on its own (first along rows, then along columns) with its own rule:
/// an enlarged axis interpolates between the two nearest pixels (pixel centres aligned, as
/// Pillow and PyTorch's `align_corners=False` do); a shrunk axis averages every source pixel
/// an output pixel covers, weighted by the covered fraction. Point sampling would let a
/// one-pixel scratch vanish; averaging keeps a trace of it, which inspection models need.
extension Image {
    /// The image resampled to `width` x `height` pixels.
    public func resized(width newWidth: Int, height newHeight: Int) throws -> Image {
        guard newWidth > 0, newHeight > 0 else {
            throw ImageError.invalidArgument(parameter: "size",
                                             reason: "a resize needs a positive size, got \(newWidth)x\(newHeight)")
        }
        guard width > 0, height > 0 else {
            throw ImageError.invalidArgument(parameter: "image", reason: "cannot resize an empty \(width)x\(height) image")
        }
        if newWidth == width && newHeight == height { return self }
        let columns = ResampleTaps(input: width, output: newWidth)
        let rows = ResampleTaps(input: height, output: newHeight)
        let channels = self.channels

        // Rows first: height x newWidth x channels, kept in Float until the end.
        var horizontal = [Float](repeating: 0, count: height * newWidth * channels)
        pixels.withUnsafeBufferPointer { input in
            horizontal.withUnsafeMutableBufferPointer { output in
                columns.weights.withUnsafeBufferPointer { weights in
                    for y in 0..<height {
                        let inRow = y * width * channels, outRow = y * newWidth * channels
                        for x in 0..<newWidth {
                            let first = columns.first[x], taps = columns.start[x]..<columns.start[x + 1]
                            for c in 0..<channels {
                                var sum: Float = 0
                                var source = inRow + first * channels + c
                                for tap in taps {
                                    sum += weights[tap] * Float(input[source])
                                    source += channels
                                }
                                output[outRow + x * channels + c] = sum
                            }
                        }
                    }
                }
            }
        }
        // Then columns: each output row is a weighted sum of whole rows of the first pass.
        var result = Image(width: newWidth, height: newHeight, channels: channels)
        let stride = newWidth * channels
        var row = [Float](repeating: 0, count: stride)
        horizontal.withUnsafeBufferPointer { input in
            result.pixels.withUnsafeMutableBufferPointer { output in
                for y in 0..<newHeight {
                    for index in 0..<stride { row[index] = 0 }
                    for tap in rows.start[y]..<rows.start[y + 1] {
                        let weight = rows.weights[tap], from = (rows.first[y] + tap - rows.start[y]) * stride
                        for index in 0..<stride { row[index] += weight * input[from + index] }
                    }
                    for index in 0..<stride { output[y * stride + index] = UInt8(clamping: Int(row[index] + 0.5)) }
                }
            }
        }
        return result
    }

    /// The image scaled so its shorter side is `side` pixels, keeping the aspect ratio
    /// (the longer side is rounded to the nearest pixel).
    public func resized(shorterSide side: Int) throws -> Image {
        guard width > 0, height > 0 else {
            throw ImageError.invalidArgument(parameter: "image", reason: "cannot resize an empty \(width)x\(height) image")
        }
        if width <= height {
            return try resized(width: side, height: max(1, (height * side * 2 + width) / (2 * width)))
        }
        return try resized(width: max(1, (width * side * 2 + height) / (2 * height)), height: side)
    }
}

/// For each output index along one axis: the first source index it reads and the weights of
/// the consecutive source pixels from there (summing to 1), flattened into one array where
/// output `i` owns `weights[start[i]..<start[i + 1]]`.
struct ResampleTaps {
    var first: [Int] = []
    var start: [Int] = [0]
    var weights: [Float] = []

    init(input: Int, output: Int) {
        let scale = Double(input) / Double(output)
        for index in 0..<output {
            if output >= input {
                // Bilinear between the two source centres around this output centre.
                let centre = min(max((Double(index) + 0.5) * scale - 0.5, 0), Double(input - 1))
                let left = Int(centre)
                let fraction = Float(centre - Double(left))
                first.append(left)
                weights += left + 1 < input && fraction > 0 ? [1 - fraction, fraction] : [1]
            } else {
                // Box average over [index * scale, (index + 1) * scale), partial pixels weighted.
                let low = Double(index) * scale, high = min(Double(index + 1) * scale, Double(input))
                let begin = Int(low), end = min(Int(high.rounded(.up)), input)
                let taps = (begin..<end).map { min(high, Double($0 + 1)) - max(low, Double($0)) }
                let total = taps.reduce(0, +)
                first.append(begin)
                weights += taps.map { Float($0 / total) }
            }
            start.append(weights.count)
        }
    }
}
