/// Conversions between grey, RGB and RGBA.
extension Image {
    /// One grey channel. RGB uses Pillow's luma (ITU-R 601-2: 0.299 R + 0.587 G + 0.114 B,
    /// in the same 16-bit fixed point, so results match Pillow's `convert("L")` exactly);
    /// alpha is ignored.
    public func toGrey() -> Image {
        switch channels {
        case 1: return self
        case 2: return channel(0)
        default:
            var grey = [UInt8](repeating: 0, count: width * height)
            pixels.withUnsafeBufferPointer { input in
                for index in 0..<grey.count {
                    let red = UInt32(input[index * channels])
                    let green = UInt32(input[index * channels + 1])
                    let blue = UInt32(input[index * channels + 2])
                    grey[index] = UInt8((red * 19595 + green * 38470 + blue * 7471 + 0x8000) >> 16)
                }
            }
            return Image(width: width, height: height, channels: 1, pixels: grey)
        }
    }

    /// Three channels: grey is repeated in R, G and B; alpha is dropped.
    public func toRGB() -> Image {
        switch channels {
        case 3: return self
        case 4: return droppingAlpha()
        default:
            var rgb = [UInt8](repeating: 0, count: width * height * 3)
            for index in 0..<(width * height) {
                let grey = pixels[index * channels]
                rgb[index * 3] = grey
                rgb[index * 3 + 1] = grey
                rgb[index * 3 + 2] = grey
            }
            return Image(width: width, height: height, channels: 3, pixels: rgb)
        }
    }

    /// Four channels: RGB plus an opaque alpha (255).
    public func toRGBA() -> Image {
        if channels == 4 { return self }
        let rgb = toRGB()
        var rgba = [UInt8](repeating: 255, count: width * height * 4)
        for index in 0..<(width * height) {
            for c in 0..<3 { rgba[index * 4 + c] = rgb.pixels[index * 3 + c] }
        }
        return Image(width: width, height: height, channels: 4, pixels: rgba)
    }

    /// The same picture without its alpha channel (grey+alpha gives grey, RGBA gives RGB).
    public func droppingAlpha() -> Image {
        switch channels {
        case 2: return channel(0)
        case 4:
            var rgb = [UInt8](repeating: 0, count: width * height * 3)
            for index in 0..<(width * height) {
                for c in 0..<3 { rgb[index * 3 + c] = pixels[index * 4 + c] }
            }
            return Image(width: width, height: height, channels: 3, pixels: rgb)
        default: return self
        }
    }

    /// The image with `count` channels: 1 (grey), 3 (RGB) or 4 (RGBA).
    public func withChannels(_ count: Int) throws -> Image {
        switch count {
        case 1: return toGrey()
        case 3: return toRGB()
        case 4: return toRGBA()
        default: throw ImageError.invalidArgument(parameter: "channels", reason: "must be 1, 3 or 4, got \(count)")
        }
    }

    /// One channel as a grey image.
    public func channel(_ index: Int) -> Image {
        precondition((0..<channels).contains(index), "channel \(index) of a \(channels)-channel image")
        var plane = [UInt8](repeating: 0, count: width * height)
        for pixel in 0..<plane.count { plane[pixel] = pixels[pixel * channels + index] }
        return Image(width: width, height: height, channels: 1, pixels: plane)
    }
}
