/// CMYK to RGB the way Pillow converts it, so CMYK JPEGs match Pillow-based pipelines.
enum CMYKConversion {
    /// `pixels` are CMYK as libjpeg returns them. Adobe files (the ones Photoshop and Pillow
    /// write) store the inks inverted, so 255 means no ink there.
    static func rgb(fromCMYK pixels: [UInt8], width: Int, height: Int, adobeInverted: Bool) -> Image {
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for index in 0..<(width * height) {
            var ink = (0..<4).map { Int(pixels[index * 4 + $0]) }
            if adobeInverted { ink = ink.map { 255 - $0 } }
            // Pillow's cmyk2rgb: each colour is what the ink leaves of the light the black leaves.
            let light = 255 - ink[3]
            for channel in 0..<3 {
                rgb[index * 3 + channel] = UInt8(clamping: light - multiplyDivide255(ink[channel], light))
            }
        }
        return Image(width: width, height: height, channels: 3, pixels: rgb)
    }

    /// Pillow's MULDIV255: a * b / 255 rounded, in integers.
    private static func multiplyDivide255(_ a: Int, _ b: Int) -> Int {
        let product = a * b + 128
        return ((product >> 8) + product) >> 8
    }
}
