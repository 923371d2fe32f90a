/// ImageNet's channel statistics, which pretrained torchvision models expect.
public enum ImageNet {
    /// Per-channel mean of ImageNet pixels scaled to 0...1 (R, G, B).
    public static let mean: [Float] = [0.485, 0.456, 0.406]
    /// Per-channel standard deviation of ImageNet pixels scaled to 0...1 (R, G, B).
    public static let std: [Float] = [0.229, 0.224, 0.225]

    /// The mean for `channels` 3 (RGB) or 1 (grey: the mean of the three, 0.449, the usual
    /// choice when a pretrained model is fed grey pictures).
    public static func mean(channels: Int) -> [Float] {
        channels == 1 ? [mean.reduce(0, +) / 3] : mean
    }

    /// The standard deviation for `channels` 3 or 1 (grey: the mean of the three, 0.226).
    public static func std(channels: Int) -> [Float] {
        channels == 1 ? [std.reduce(0, +) / 3] : std
    }
}

/// Per-channel mean and standard deviation of a dataset's pixels (scaled to 0...1), for
/// `normalize=dataset`.
///
/// Sums are kept as exact integers, so adding images in any order, or merging statistics
/// gathered in parallel, gives identical results.
public struct ChannelStatistics: Sendable, Equatable {
    public let channels: Int
    /// Pixels seen per channel.
    public private(set) var count: UInt64 = 0
    private var sums: [UInt64]
    private var squareSums: [UInt64]

    public init(channels: Int) {
        self.channels = channels
        sums = [UInt64](repeating: 0, count: channels)
        squareSums = [UInt64](repeating: 0, count: channels)
    }

    /// Adds every pixel of `image`, which must have `channels` channels.
    public mutating func add(_ image: Image) throws {
        guard image.channels == channels else {
            throw ImageError.invalidArgument(
                parameter: "image", reason: "has \(image.channels) channels, the statistics are for \(channels)")
        }
        for c in 0..<channels {
            var sum: UInt64 = 0, squares: UInt64 = 0
            for index in stride(from: c, to: image.pixels.count, by: channels) {
                let value = UInt64(image.pixels[index])
                sum += value
                squares += value * value
            }
            sums[c] += sum
            squareSums[c] += squares
        }
        count += UInt64(image.width * image.height)
    }

    /// Adds statistics gathered separately (e.g. on another thread).
    public mutating func merge(_ other: ChannelStatistics) {
        precondition(other.channels == channels, "merging statistics of \(other.channels) and \(channels) channels")
        for c in 0..<channels {
            sums[c] += other.sums[c]
            squareSums[c] += other.squareSums[c]
        }
        count += other.count
    }

    /// Mean per channel, in 0...1 (zeros before any pixel was added).
    public var mean: [Float] {
        guard count > 0 else { return [Float](repeating: 0, count: channels) }
        return sums.map { Float(Double($0) / Double(count) / 255) }
    }

    /// Population standard deviation per channel, in 0...1 (zeros before any pixel was added).
    public var std: [Float] {
        guard count > 0 else { return [Float](repeating: 0, count: channels) }
        return (0..<channels).map { c in
            let n = Double(count)
            let mean = Double(sums[c]) / n
            let variance = max(Double(squareSums[c]) / n - mean * mean, 0)
            return Float(variance.squareRoot() / 255)
        }
    }

    /// Statistics of all `images` (each must have `channels` channels).
    public static func of<Images: Sequence>(_ images: Images, channels: Int) throws -> ChannelStatistics
    where Images.Element == Image {
        var statistics = ChannelStatistics(channels: channels)
        for image in images { try statistics.add(image) }
        return statistics
    }
}
