import Imaging

/// An image as floats on the 0…1 scale (HWC), the working form between resampling and the batch tensor.
public struct FloatImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var values: [Float]

    public init(width: Int, height: Int, channels: Int, values: [Float]) {
        precondition(values.count == width * height * channels, "values do not match geometry")
        self.width = width; self.height = height; self.channels = channels; self.values = values
    }

    public init(width: Int, height: Int, channels: Int) {
        self.init(width: width, height: height, channels: channels, values: [Float](repeating: 0, count: width * height * channels))
    }

    /// Rounds to 8 bits.
    public func toImage() -> Image {
        Image(width: width, height: height, channels: channels,
              pixels: values.map { UInt8(max(0, min(255, ($0 * 255).rounded()))) })
    }

    /// Grey from RGB with the ITU-R BT.601 weights (what PIL's `convert("L")` uses).
    public func grey() -> FloatImage {
        guard channels >= 3 else { return self }
        var out = FloatImage(width: width, height: height, channels: 1)
        values.withUnsafeBufferPointer { v in
            for i in 0..<(width * height) {
                let o = i * channels
                out.values[i] = 0.299 * v[o] + 0.587 * v[o + 1] + 0.114 * v[o + 2]
            }
        }
        return out
    }

    /// RGB from grey by repeating the channel.
    public func rgb() -> FloatImage {
        guard channels == 1 else { return self }
        var out = FloatImage(width: width, height: height, channels: 3)
        for i in 0..<(width * height) {
            let g = values[i]
            out.values[3 * i] = g; out.values[3 * i + 1] = g; out.values[3 * i + 2] = g
        }
        return out
    }
}
