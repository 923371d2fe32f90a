/// Conversion to normalised Float32, the network's input.
///
/// Each value is computed as torchvision's `ToTensor` then `Normalize` compute it, in Float32
/// and in the same order: `(pixel / 255 - mean) / std`. Only 256 values per channel exist,
/// so they are computed once into a table and looked up.
extension Image {
    /// Interleaved floats (height x width x channels).
    ///
    /// `mean` and `std` hold one value per channel, or one value for all channels.
    public func toFloatHWC(mean: [Float], std: [Float]) -> [Float] {
        var values = [Float](repeating: 0, count: pixels.count)
        values.withUnsafeMutableBufferPointer { writeFloatHWC(into: $0, mean: mean, std: std) }
        return values
    }

    /// Planar floats (channels x height x width), PyTorch's layout for one image.
    public func toFloatCHW(mean: [Float], std: [Float]) -> [Float] {
        var values = [Float](repeating: 0, count: pixels.count)
        values.withUnsafeMutableBufferPointer { writeFloatCHW(into: $0, mean: mean, std: std) }
        return values
    }

    /// Writes the HWC floats into `destination` (exactly `width * height * channels` long),
    /// e.g. one slot of a batch, without an intermediate array.
    public func writeFloatHWC(into destination: UnsafeMutableBufferPointer<Float>, mean: [Float], std: [Float]) {
        precondition(destination.count == pixels.count, "destination holds \(destination.count) floats, image has \(pixels.count)")
        let tables = normalisationTables(mean: mean, std: std)
        pixels.withUnsafeBufferPointer { input in
            for pixel in 0..<(width * height) {
                for c in 0..<channels {
                    destination[pixel * channels + c] = tables[c][Int(input[pixel * channels + c])]
                }
            }
        }
    }

    /// Writes the CHW floats into `destination` (exactly `width * height * channels` long).
    public func writeFloatCHW(into destination: UnsafeMutableBufferPointer<Float>, mean: [Float], std: [Float]) {
        precondition(destination.count == pixels.count, "destination holds \(destination.count) floats, image has \(pixels.count)")
        let tables = normalisationTables(mean: mean, std: std)
        let plane = width * height
        pixels.withUnsafeBufferPointer { input in
            for c in 0..<channels {
                tables[c].withUnsafeBufferPointer { table in
                    for pixel in 0..<plane { destination[c * plane + pixel] = table[Int(input[pixel * channels + c])] }
                }
            }
        }
    }

    /// For each channel, the normalised value of every byte 0...255.
    private func normalisationTables(mean: [Float], std: [Float]) -> [[Float]] {
        precondition(mean.count == channels || mean.count == 1, "\(mean.count) means for \(channels) channels")
        precondition(std.count == channels || std.count == 1, "\(std.count) standard deviations for \(channels) channels")
        return (0..<channels).map { c in
            let m = mean.count == 1 ? mean[0] : mean[c], s = std.count == 1 ? std[0] : std[c]
            return (0..<256).map { (Float($0) / 255 - m) / s }
        }
    }
}
