import Imaging
import TensorCore
import LoupeBase

/// What a model wants from an image: its input size, channels and per-channel normalisation.
///
/// Training, evaluation and prediction all go through `render`, so an image is resized the
/// same way every time (the usual cause of a model that trains well and predicts badly).
public struct Preprocessing: Sendable, Equatable, Codable {
    public var width: Int
    public var height: Int
    /// 1 (grey) or 3 (RGB); images are converted to this.
    public var channels: Int
    /// Per-channel mean and standard deviation on the 0…1 scale: x ↦ (x − mean) / std.
    public var mean: [Float]
    public var std: [Float]
    /// The share of the image a centre crop keeps, torchvision's evaluation transform for
    /// pretrained weights (resize the shorter side to 256, keep the middle 224: 0.875). The
    /// window has the input's aspect ratio; without a crop (nil) the whole image is resized to
    /// the input, stretched if its aspect differs. Augmentation then works inside the window.
    public var crop: Double?

    public init(width: Int, height: Int, channels: Int, mean: [Float]? = nil, std: [Float]? = nil, crop: Double? = nil) {
        precondition(width > 0 && height > 0 && (channels == 1 || channels == 3), "bad preprocessing geometry")
        precondition(crop.map { $0 > 0 && $0 <= 1 } ?? true, "a crop keeps a share of the image in 0 < share <= 1")
        self.width = width; self.height = height; self.channels = channels; self.crop = crop
        self.mean = mean ?? [Float](repeating: 0, count: channels)
        self.std = std ?? [Float](repeating: 1, count: channels)
        precondition(self.mean.count == channels && self.std.count == channels, "mean/std need one value per channel")
    }

    /// torchvision's ImageNet statistics (grey images use their averages).
    public static func imagenet(width: Int, height: Int, channels: Int) -> Preprocessing {
        Preprocessing(width: width, height: height, channels: channels,
                      mean: ImageNet.mean(channels: channels), std: ImageNet.std(channels: channels))
    }

    /// Resizes, augments (when a draw is given) and converts channels; values stay on 0…1.
    ///
    /// Order: one resampling for all geometry, colour (brightness, contrast, saturation, hue),
    /// blur, noise, erase. `rng` continues the sample's generator for the per-pixel noise.
    public func render(_ image: Image, draw: AugmentationDraw? = nil, rng: inout SeededGenerator) -> FloatImage {
        let d = draw ?? AugmentationDraw()
        let w = sourceWindow(width: image.width, height: image.height)
        var map = d.untouched ? AffineMap.resize(from: w.width, w.height, to: Double(width), Double(height))
                              : AffineMap.augmentation(d, from: w.width, w.height, to: width, height)
        map.t0 += w.x; map.t1 += w.y
        var f = resample(image, map: map, width: width, height: height)
        if channels == 1, f.channels == 3 { f = f.grey() }
        if !d.untouched {
            if d.brightness != 1 { f.adjustBrightness(d.brightness) }
            if d.contrast != 1 { f.adjustContrast(d.contrast) }
            if d.saturation != 1 { f.adjustSaturation(d.saturation) }
            if d.hue != 0 { f.shiftHue(d.hue) }
            if d.blurSigma > 0 { f.blur(sigma: d.blurSigma) }
            if d.noise > 0 { f.addNoise(sigma: d.noise, using: &rng) }
            if let e = d.erase { f.erase(x: e.x, y: e.y, width: e.width, height: e.height) }
        }
        if channels == 3, f.channels == 1 { f = f.rgb() }
        return f
    }

    /// The part of a `width`×`height` image that becomes the input: all of it, or with `crop` the
    /// centred window of the input's aspect ratio, `crop` times the largest such window.
    public func sourceWindow(width sw: Int, height sh: Int) -> (x: Double, y: Double, width: Double, height: Double) {
        guard let crop else { return (0, 0, Double(sw), Double(sh)) }
        let aspect = Double(width) / Double(height)
        let fullWidth = min(Double(sw), Double(sh) * aspect)
        let w = crop * fullWidth, h = w / aspect
        return ((Double(sw) - w) / 2, (Double(sh) - h) / 2, w, h)
    }

    /// Like `render` without augmentation.
    public func render(_ image: Image) -> FloatImage {
        var unused = SeededGenerator(seed: 0)
        return render(image, draw: nil, rng: &unused)
    }

    /// Writes a rendered image, normalised, into `destination` (height × width × channels floats).
    public func normalize(_ f: FloatImage, into destination: UnsafeMutablePointer<Float>) {
        precondition(f.width == width && f.height == height && f.channels == channels, "image does not match preprocessing")
        let inv = std.map { 1 / $0 }
        f.values.withUnsafeBufferPointer { v in
            var i = 0
            for _ in 0..<(width * height) {
                for c in 0..<channels { destination[i] = (v[i] - mean[c]) * inv[c]; i += 1 }
            }
        }
    }
}

extension AugmentationSettings {
    /// Augments one image at `preprocessing`'s size and channels, rounded back to 8 bits (for previews and tests).
    public func apply(_ image: Image, preprocessing: Preprocessing, rng: inout SeededGenerator) -> Image {
        let d = draw(using: &rng)
        return preprocessing.render(image, draw: d, rng: &rng).toImage()
    }

    /// Augments one image at its own size and channel count (grey stays grey, RGBA loses alpha).
    public func apply(_ image: Image, rng: inout SeededGenerator) -> Image {
        let p = Preprocessing(width: image.width, height: image.height, channels: image.channels <= 2 ? 1 : 3)
        return apply(image, preprocessing: p, rng: &rng)
    }
}
