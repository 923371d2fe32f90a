import CCodecs

/// PNG encoding and decoding through libpng.
public enum PNG {
    /// Encodes an 8-bit grey, RGB or RGBA image.
    ///
    /// The settings are fixed (zlib level 6, Paeth filter, no time or text chunks), so the
    /// same pixels always give the same bytes. `interlaced` writes Adam7 (mostly for tests).
    public static func encode(_ image: Image, interlaced: Bool = false) throws -> [UInt8] {
        guard image.channels != 2 else {
            throw ImageError.invalidArgument(parameter: "image", reason: "PNG encoding takes 1, 3 or 4 channels, not 2")
        }
        guard image.width > 0, image.height > 0 else {
            throw ImageError.invalidArgument(parameter: "image",
                                             reason: "cannot encode an empty \(image.width)x\(image.height) image")
        }
        var status = loupe_codec_status.blank
        var buffer: UnsafeMutablePointer<UInt8>?
        var count = 0
        let code = image.pixels.withUnsafeBufferPointer { pixels in
            loupe_png_encode(pixels.baseAddress, UInt32(image.width), UInt32(image.height), Int32(image.channels),
                             interlaced ? 1 : 0, &buffer, &count, &status)
        }
        let bytes = takeEncodedBytes(buffer, count: count)
        guard code == LOUPE_CODEC_OK else {
            throw ImageError.invalidArgument(parameter: "image", reason: "PNG encoding failed: \(status.text)")
        }
        return bytes
    }

    /// Decodes a PNG to 8-bit grey (1 channel) or RGB (3 channels).
    ///
    /// 16-bit samples keep their high byte, palettes are expanded to RGB, alpha (and tRNS
    /// transparency) is dropped, interlaced files are de-interlaced. The header is checked
    /// against `limits` before any pixel memory is allocated. `source` names the bytes in errors.
    public static func decode(_ bytes: [UInt8], source: String, limits: ImageLimits = .default) throws -> Image {
        guard !bytes.isEmpty else { throw ImageError.emptyFile(source: source) }
        let container = try PNGContainer(bytes: bytes, source: source)
        try limits.check(width: container.width, height: container.height, source: source)
        let channels = container.decodedChannels
        let count = container.width * container.height * channels
        var status = loupe_codec_status.blank
        var code: Int32 = 0
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
            code = bytes.withUnsafeBufferPointer { input in
                loupe_png_decode(input.baseAddress, input.count, UInt32(container.width), UInt32(container.height),
                                 Int32(channels), output.baseAddress, count, &status)
            }
            // On failure the buffer may be partly written; zero it so the array is always defined.
            if code != LOUPE_CODEC_OK { output.initialize(repeating: 0) }
            initialized = count
        }
        guard code == LOUPE_CODEC_OK else { throw status.decodingError(source: source) }
        return Image(width: container.width, height: container.height, channels: channels, pixels: pixels)
    }
}

extension Image {
    /// Writes the image as PNG, atomically: to a temporary file beside `path`, then renamed.
    public func writePNG(to path: String) throws {
        try FileAccess.writeAtomically(PNG.encode(self), to: path)
    }
}
