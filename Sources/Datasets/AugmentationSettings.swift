/// Training-time augmentation, as set by the `augment` command (every field 0/false = off).
///
/// Ranges are symmetric around "no change" and drawn uniformly per image: `rotate=15` turns by
/// −15°…15°, `zoom=0.2` scales by 0.8…1.2, `brightness=0.2` multiplies by 0.8…1.2.
public struct AugmentationSettings: Sendable, Equatable, Codable {
    /// Mirror left–right with probability 0.5.
    public var flipH = false
    /// Mirror top–bottom with probability 0.5.
    public var flipV = false
    /// Largest rotation in degrees.
    public var rotate = 0.0
    /// Turn by 0, 90, 180 or 270 degrees, equally likely.
    public var rotate90 = false
    /// Largest relative change of scale.
    public var zoom = 0.0
    /// Largest shift as a share of the width and height.
    public var translate = 0.0
    /// Largest horizontal shear in degrees.
    public var shear = 0.0
    /// Random resized crop: keeps 1−crop…100% of the area, aspect ratio 3/4…4/3, resized back.
    public var crop = 0.0
    public var brightness = 0.0
    public var contrast = 0.0
    public var saturation = 0.0
    /// Largest hue shift as a share of the colour circle (at most 0.5).
    public var hue = 0.0
    /// Standard deviation of Gaussian noise on the 0…1 scale.
    public var noise = 0.0
    /// Largest Gaussian blur sigma in output pixels (drawn from 0…blur).
    public var blur = 0.0
    /// Probability of erasing (zeroing) one random rectangle of 2–33% of the image.
    public var erase = 0.0
    /// Share of images passed through untouched.
    public var originals = 0.2

    public init() {}

    /// A common training augmentation (fastai's `aug_transforms` in spirit): horizontal flips,
    /// ±10° rotation, ±10% zoom, ±20% brightness and contrast, a fifth of images untouched.
    public static var standard: AugmentationSettings {
        var s = AugmentationSettings()
        s.flipH = true; s.rotate = 10; s.zoom = 0.1; s.brightness = 0.2; s.contrast = 0.2
        return s
    }

    /// True when no transform is enabled.
    public var isIdentity: Bool {
        !flipH && !flipV && rotate == 0 && !rotate90 && zoom == 0 && translate == 0 && shear == 0 && crop == 0
            && brightness == 0 && contrast == 0 && saturation == 0 && hue == 0 && noise == 0 && blur == 0 && erase == 0
    }

    /// True when some geometric transform is enabled (these share one resampling).
    public var hasGeometry: Bool {
        flipH || flipV || rotate != 0 || rotate90 || zoom != 0 || translate != 0 || shear != 0 || crop != 0
    }

    /// Throws for values outside their meaningful ranges, naming the parameter.
    public func validate() throws {
        func check(_ name: String, _ v: Double, _ range: ClosedRange<Double>, _ why: String) throws {
            guard range.contains(v) else { throw DatasetError.invalidParameter(name: name, value: "\(v)", reason: why) }
        }
        try check("rotate", rotate, 0...180, "degrees between 0 and 180")
        try check("zoom", zoom, 0...0.9, "a share between 0 and 0.9")
        try check("translate", translate, 0...0.5, "a share between 0 and 0.5")
        try check("shear", shear, 0...60, "degrees between 0 and 60")
        try check("crop", crop, 0...0.95, "a share of the area between 0 and 0.95")
        try check("brightness", brightness, 0...1, "between 0 and 1")
        try check("contrast", contrast, 0...1, "between 0 and 1")
        try check("saturation", saturation, 0...1, "between 0 and 1")
        try check("hue", hue, 0...0.5, "between 0 and 0.5")
        try check("noise", noise, 0...1, "a standard deviation between 0 and 1")
        try check("blur", blur, 0...20, "a sigma between 0 and 20 pixels")
        try check("erase", erase, 0...1, "a probability between 0 and 1")
        try check("originals", originals, 0...1, "a share between 0 and 1")
    }
}
