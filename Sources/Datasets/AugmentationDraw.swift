import TensorCore
import LoupeBase

/// One image's concrete augmentation: every random value already drawn.
///
/// Drawing is separate from applying so a sample's transform depends only on its own
/// generator (seeded from seed, epoch and sample index), never on thread timing.
public struct AugmentationDraw: Sendable, Equatable {
    /// Passed through untouched (the `originals` share).
    public var untouched = true
    public var flipH = false
    public var flipV = false
    /// Quarter turns, 0…3.
    public var turns = 0
    /// Rotation in radians.
    public var angle = 0.0
    /// Scale factor (> 1 zooms in).
    public var scale = 1.0
    /// Shift as a share of width and height.
    public var shiftX = 0.0, shiftY = 0.0
    /// Horizontal shear in radians.
    public var shear = 0.0
    /// Crop window as shares of the image: centre offset from the middle and size.
    public var cropX = 0.0, cropY = 0.0, cropWidth = 1.0, cropHeight = 1.0
    public var brightness: Float = 1
    public var contrast: Float = 1
    public var saturation: Float = 1
    /// Hue shift as a share of the colour circle.
    public var hue: Float = 0
    public var noise: Float = 0
    public var blurSigma: Float = 0
    /// Erased rectangle as shares of the output (x, y, width, height); nil: none.
    public var erase: (x: Double, y: Double, width: Double, height: Double)?

    public init() {}

    public static func == (a: AugmentationDraw, b: AugmentationDraw) -> Bool {
        a.untouched == b.untouched && a.flipH == b.flipH && a.flipV == b.flipV && a.turns == b.turns
            && a.angle == b.angle && a.scale == b.scale && a.shiftX == b.shiftX && a.shiftY == b.shiftY
            && a.shear == b.shear && a.cropX == b.cropX && a.cropY == b.cropY && a.cropWidth == b.cropWidth
            && a.cropHeight == b.cropHeight && a.brightness == b.brightness && a.contrast == b.contrast
            && a.saturation == b.saturation && a.hue == b.hue && a.noise == b.noise && a.blurSigma == b.blurSigma
            && a.erase?.x == b.erase?.x && a.erase?.y == b.erase?.y && a.erase?.width == b.erase?.width
            && a.erase?.height == b.erase?.height
    }
}

extension AugmentationSettings {
    /// Draws one image's transform. Only enabled transforms consume random numbers.
    public func draw(using rng: inout SeededGenerator) -> AugmentationDraw {
        var d = AugmentationDraw()
        if isIdentity || rng.nextDouble() < originals { return d }
        d.untouched = false
        func symmetric(_ r: Double) -> Double { (2 * rng.nextDouble() - 1) * r }
        if flipH { d.flipH = rng.nextDouble() < 0.5 }
        if flipV { d.flipV = rng.nextDouble() < 0.5 }
        if rotate90 { d.turns = rng.nextInt(below: 4) }
        if rotate > 0 { d.angle = symmetric(rotate) * .pi / 180 }
        if zoom > 0 { d.scale = 1 + symmetric(zoom) }
        if translate > 0 { d.shiftX = symmetric(translate); d.shiftY = symmetric(translate) }
        if shear > 0 { d.shear = symmetric(shear) * .pi / 180 }
        if crop > 0 {
            // torchvision's RandomResizedCrop: area share, then a log-uniform aspect ratio.
            let area = 1 - crop * rng.nextDouble()
            let logRatio = symmetric(log(4.0 / 3.0))
            let ratio = exp(logRatio)
            d.cropWidth = min(1, (area * ratio).squareRoot())
            d.cropHeight = min(1, (area / ratio).squareRoot())
            d.cropX = (rng.nextDouble() - 0.5) * (1 - d.cropWidth)
            d.cropY = (rng.nextDouble() - 0.5) * (1 - d.cropHeight)
        }
        if brightness > 0 { d.brightness = Float(1 + symmetric(brightness)) }
        if contrast > 0 { d.contrast = Float(1 + symmetric(contrast)) }
        if saturation > 0 { d.saturation = Float(1 + symmetric(saturation)) }
        if hue > 0 { d.hue = Float(symmetric(hue)) }
        if noise > 0 { d.noise = Float(noise) }
        if blur > 0 { d.blurSigma = Float(rng.nextDouble() * blur) }
        if erase > 0, rng.nextDouble() < erase {
            // torchvision's RandomErasing defaults: 2–33% of the area, ratio 0.3–3.3.
            let area = 0.02 + rng.nextDouble() * 0.31
            let ratio = exp(log(0.3) + rng.nextDouble() * (log(3.3) - log(0.3)))
            let w = min(1, (area * ratio).squareRoot()), h = min(1, (area / ratio).squareRoot())
            d.erase = (rng.nextDouble() * (1 - w), rng.nextDouble() * (1 - h), w, h)
        }
        return d
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
