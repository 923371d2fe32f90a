import Imaging

/// A photo-like RGB picture for the reduced-JPEG tests: a gradient, a soft disc and fine noise
/// (seeded), so a DCT-scaled decode and a full one differ as they would on a real photo.
public func photoLikeImage(width: Int = 1600, height: Int = 1200, seed: UInt32 = 12345) -> Image {
    var image = Image(width: width, height: height, channels: 3)
    var s = seed
    for y in 0..<height {
        for x in 0..<width {
            s = s &* 1664525 &+ 1013904223
            let noise = Int(s >> 28) - 8
            let dx = Double(x - width / 2), dy = Double(y - height / 3)
            let disc = max(0, min(1, (300 - (dx * dx + dy * dy).squareRoot()) / 20))
            let base = [40 + 150 * x / width, 60 + 120 * y / height, 200 - 100 * x / width]
            for c in 0..<3 {
                let v = Double(base[c]) * (1 - disc) + Double([230, 190, 40][c]) * disc + Double(noise)
                image[x, y, c] = UInt8(max(0, min(255, v)))
            }
        }
    }
    return image
}
