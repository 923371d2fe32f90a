import CCodecs

/// JPEG encoding and decoding through libjpeg(-turbo).
public enum JPEG {
    /// Encodes a grey or RGB image (alpha, if any, is dropped) at `quality` 1...100,
    /// baseline with 4:2:0 chroma subsampling.
    public static func encode(_ image: Image, quality: Int = 90) throws -> [UInt8] {
        guard (1...100).contains(quality) else {
            throw ImageError.invalidArgument(parameter: "quality", reason: "must be 1 to 100, got \(quality)")
        }
        guard image.width > 0, image.height > 0 else {
            throw ImageError.invalidArgument(parameter: "image",
                                             reason: "cannot encode an empty \(image.width)x\(image.height) image")
        }
        let source = image.channels == 4 ? image.droppingAlpha() : image.channels == 2 ? image.toGrey() : image
        var status = loupe_codec_status.blank
        var buffer: UnsafeMutablePointer<UInt8>?
        var count = 0
        let code = source.pixels.withUnsafeBufferPointer { pixels in
            loupe_jpeg_encode(pixels.baseAddress, UInt32(source.width), UInt32(source.height),
                              Int32(source.channels), Int32(quality), &buffer, &count, &status)
        }
        let bytes = takeEncodedBytes(buffer, count: count)
        guard code == LOUPE_CODEC_OK else {
            throw ImageError.invalidArgument(parameter: "image", reason: "JPEG encoding failed: \(status.text)")
        }
        return bytes
    }

    /// Decodes a JPEG (baseline or progressive; grey, YCbCr/RGB, CMYK or YCCK) to grey or RGB.
    ///
    /// CMYK is converted to RGB as Pillow does; the EXIF orientation, when present, is applied
    /// so the picture comes out upright (`applyOrientation: false` keeps the stored layout).
    /// The header is checked against `limits` before any pixel memory is allocated.
    ///
    /// `atLeast` (width, height, upright) lets libjpeg decode at a half, quarter or eighth of the
    /// size when the result is still at least that large on both sides, as Pillow's draft mode
    /// does: for a model input far smaller than the photo, most of the decoding work is skipped.
    public static func decode(_ bytes: [UInt8], source: String, limits: ImageLimits = .default,
                              applyOrientation: Bool = true, atLeast target: (width: Int, height: Int)? = nil) throws -> Image {
        try decode(bytes, source: source, limits: limits, applyOrientation: applyOrientation) { header, orientation in
            target.map {
                scaleDenominator(width: header.width, height: header.height, atLeast: $0, swapsAxes: (5...8).contains(orientation ?? 1))
            } ?? 1
        }
    }

    /// Decodes at 1/`scale` of the size (1, 2, 4 or 8), as `ImageHeader.scale(atLeast:)` chose it
    /// from the same header: the caller (a cache keyed by scale) knows the scale before decoding.
    public static func decode(_ bytes: [UInt8], source: String, limits: ImageLimits = .default,
                              applyOrientation: Bool = true, scale: Int) throws -> Image {
        guard [1, 2, 4, 8].contains(scale) else {
            throw ImageError.invalidArgument(parameter: "scale", reason: "must be 1, 2, 4 or 8, got \(scale)")
        }
        return try decode(bytes, source: source, limits: limits, applyOrientation: applyOrientation) { _, _ in scale }
    }

    private static func decode(_ bytes: [UInt8], source: String, limits: ImageLimits, applyOrientation: Bool,
                               denominator choose: ((width: Int, height: Int), Int?) -> Int) throws -> Image {
        guard !bytes.isEmpty else { throw ImageError.emptyFile(source: source) }
        guard bytes.count >= 2, bytes[0] == 0xFF, bytes[1] == 0xD8 else { throw ImageError.notAnImage(source: source) }
        var header = loupe_jpeg_header()
        var status = loupe_codec_status.blank
        let headerCode = bytes.withUnsafeBufferPointer { input in
            loupe_jpeg_read_header(input.baseAddress, input.count, &header, &status)
        }
        guard headerCode == LOUPE_CODEC_OK else { throw status.decodingError(source: source) }
        try limits.check(width: Int(header.width), height: Int(header.height), source: source)
        let orientation = applyOrientation ? EXIFOrientation.read(fromJPEG: bytes) : nil
        let denominator = choose((Int(header.width), Int(header.height)), orientation)
        let width = (Int(header.width) + denominator - 1) / denominator
        let height = (Int(header.height) + denominator - 1) / denominator

        let colourSpace = Int(header.color_space)
        let channels: Int
        switch (Int(header.components), colourSpace) {
        case (1, _): channels = 1
        case (3, _): channels = 3
        case (4, Int(LOUPE_JPEG_CMYK)), (4, Int(LOUPE_JPEG_YCCK)): channels = 4
        default:
            throw ImageError.unsupported(source: source,
                                         detail: "JPEG with \(header.components) colour components (colour space \(colourSpace))")
        }
        let count = width * height * channels
        var code: Int32 = 0
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
            code = bytes.withUnsafeBufferPointer { input in
                loupe_jpeg_decode_scaled(input.baseAddress, input.count, Int32(channels), Int32(denominator),
                                         output.baseAddress, count, &status)
            }
            if code != LOUPE_CODEC_OK { output.initialize(repeating: 0) }
            initialized = count
        }
        guard code == LOUPE_CODEC_OK else { throw status.decodingError(source: source) }
        var image = channels == 4
            ? CMYKConversion.rgb(fromCMYK: pixels, width: width, height: height, adobeInverted: header.adobe_marker != 0)
            : Image(width: width, height: height, channels: channels, pixels: pixels)
        if applyOrientation {
            image = image.applyingEXIFOrientation(orientation ?? 1)
        }
        return image
    }

    /// The largest of 8, 4, 2 (else 1) that keeps a `width`x`height` picture at least `target` on
    /// both sides (after an EXIF turn by 90°, which swaps them).
    static func scaleDenominator(width: Int, height: Int, atLeast target: (width: Int, height: Int), swapsAxes: Bool) -> Int {
        let (w, h) = swapsAxes ? (height, width) : (width, height)
        for d in [8, 4, 2] where (w + d - 1) / d >= target.width && (h + d - 1) / d >= target.height { return d }
        return 1
    }
}

extension Image {
    /// Writes the image as JPEG at `quality`, atomically (temporary file, then rename).
    public func writeJPEG(to path: String, quality: Int = 90) throws {
        try FileAccess.writeAtomically(JPEG.encode(self, quality: quality), to: path)
    }
}
