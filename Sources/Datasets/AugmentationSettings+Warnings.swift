import Imaging
import TensorCore
import LoupeBase

/// A setting of `augment` that is likely to hurt, and why.
public struct AugmentationWarning: Sendable, Equatable {
    public var parameter: String
    public var message: String
}

extension AugmentationSettings {
    /// Warnings for settings likely to hurt: vertical flips, quarter turns of long images, objects
    /// shrunk below ~5 px, and brightness or contrast that pushes many pixels to black or white.
    ///
    /// - Parameters:
    ///   - aspectRatios: width / height of the dataset's images (or a sample of them).
    ///   - samples: a few images to try the strongest colour changes on.
    ///   - objectShare: the share of the image side a typical object spans (we cannot know it;
    ///     a fifth is a cautious guess for photos of parts and defects).
    public func warnings(aspectRatios: [Double], inputWidth: Int, inputHeight: Int, samples: [Image],
                         objectShare: Double = 0.2) -> [AugmentationWarning] {
        var w = [AugmentationWarning]()
        if flipV {
            w.append(AugmentationWarning(parameter: "flip_v", message: "vertical flips show upside-down pictures, which rarely occur at prediction time; keep them only when images have no natural up (microscopy, aerial, textures)"))
        }
        if rotate90, !aspectRatios.isEmpty {
            let long = aspectRatios.filter { $0 >= 2 || $0 <= 0.5 }.count
            if long * 10 >= aspectRatios.count {
                w.append(AugmentationWarning(parameter: "rotate90", message: "\(long) of \(aspectRatios.count) images have an aspect ratio of 2 or more: a 90° turn squeezes them into the frame, distorting objects"))
            }
        }
        let smallestScale = 1 - zoom
        let objectPixels = Double(min(inputWidth, inputHeight)) * objectShare * smallestScale
        if zoom > 0, objectPixels < 5 {
            w.append(AugmentationWarning(parameter: "zoom", message: "a zoom of \(zoom) shrinks an object spanning \(Int(objectShare * 100))% of a \(inputWidth)x\(inputHeight) input to about \(String(format1(objectPixels))) px, below the ~5 px a network can recognise; use a smaller zoom"))
        }
        if brightness > 0 || contrast > 0, !samples.isEmpty {
            let share = clippedShareIncrease(samples)
            if share > 0.1 {
                let names = [brightness > 0 ? "brightness" : nil, contrast > 0 ? "contrast" : nil].compactMap { $0 }
                w.append(AugmentationWarning(parameter: names.joined(separator: "/"), message: "at the strongest settings \(Int((share * 100).rounded()))% more pixels end up pure black or white (saturated), which erases detail; use smaller values"))
            }
        }
        return w
    }

    /// `warnings` for a dataset: aspect ratios of its known shapes and up to 32 seeded sample images.
    public func warnings(for dataset: Dataset, inputWidth: Int, inputHeight: Int, seed: UInt64 = 0) -> [AugmentationWarning] {
        let ratios = dataset.samples.compactMap { s in s.shape.map { Double($0.width) / Double(max(1, $0.height)) } }
        var rng = SeededGenerator(seed: seed, stream: 0x3A4)
        let picks = rng.permutation(dataset.count).prefix(32)
        let images = picks.compactMap { try? dataset.image(at: $0) }
        return warnings(aspectRatios: ratios, inputWidth: inputWidth, inputHeight: inputHeight, samples: images)
    }

    /// How much the share of saturated values (0 or 1) grows under the strongest brightness and
    /// contrast draws (averaged over the brightening and darkening extremes, worst of the two).
    private func clippedShareIncrease(_ samples: [Image]) -> Double {
        func clipped(_ f: FloatImage) -> Double {
            Double(f.values.filter { $0 <= 0 || $0 >= 1 }.count) / Double(max(1, f.values.count))
        }
        var worst = 0.0
        for sign in [-1.0, 1.0] {
            var increase = 0.0
            for image in samples {
                let p = Preprocessing(width: image.width, height: image.height, channels: image.channels <= 2 ? 1 : 3)
                let base = p.render(image)
                var f = base
                if brightness > 0 { f.adjustBrightness(Float(1 + sign * brightness)) }
                if contrast > 0 { f.adjustContrast(Float(1 + sign * contrast)) }
                increase += clipped(f) - clipped(base)
            }
            worst = max(worst, increase / Double(samples.count))
        }
        return worst
    }
}

/// One decimal place, without Foundation's formatter.
func format1(_ x: Double) -> String {
    let r = (x * 10).rounded() / 10
    return r == r.rounded() ? "\(Int(r))" : "\(r)"
}
