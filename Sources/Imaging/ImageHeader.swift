import CCodecs

/// What an image file's header says about its pixels, read from its first bytes before any
/// decoding: enough to tell how much memory a decode will take and at what scale a JPEG can
/// be decoded for a target size.
public struct ImageHeader: Sendable, Equatable {
    public var format: ImageFormat
    /// The stored size (before any EXIF turn).
    public var width: Int
    public var height: Int
    /// Samples per pixel as stored: JPEG components (1, 3 or 4), PNG channels (1 to 4).
    public var components: Int
    /// Bytes per stored sample (2 for 16-bit PNGs).
    public var bytesPerSample: Int
    /// A progressive JPEG (libjpeg keeps every coefficient of the whole picture while decoding it).
    public var progressive: Bool
    /// The EXIF orientation (1: as stored; 5 to 8 swap width and height).
    public var orientation: Int
    /// The size of the file in bytes (it is read whole before decoding).
    public var fileBytes: Int

    /// Bytes read from the start of a file for its header; JPEG markers before the frame header
    /// (EXIF with a thumbnail, ICC profiles) rarely take more. If they do, the whole file is read.
    static let prefixBytes = 1 << 18

    /// Channels of the decoded image: grey gives 1, everything else 3 (CMYK becomes RGB, alpha is dropped).
    public var decodedChannels: Int { components <= 2 ? 1 : 3 }

    /// Width and height of the decoded picture at full scale, upright.
    public var uprightSize: (width: Int, height: Int) {
        (5...8).contains(orientation) ? (height, width) : (width, height)
    }

    /// The DCT scale (1, 2, 4 or 8) that keeps the upright picture at least `target` on both
    /// sides: 1 for PNG, which has no reduced decode.
    public func scale(atLeast target: (width: Int, height: Int)) -> Int {
        format == .jpeg ? JPEG.scaleDenominator(width: width, height: height, atLeast: target,
                                                 swapsAxes: (5...8).contains(orientation)) : 1
    }

    /// Width and height decoded at 1/`scale`, upright (libjpeg rounds up).
    public func decodedSize(scale: Int) -> (width: Int, height: Int) {
        let s = max(1, scale)
        let size = uprightSize
        return ((size.width + s - 1) / s, (size.height + s - 1) / s)
    }

    /// An upper bound of the memory a decode at 1/`scale` holds at once, in bytes: the file,
    /// the decoded pixels as the codec delivers them (CMYK as 4 channels, 16-bit PNG rows), the
    /// picture it converts them to (RGB, an EXIF turn) and one working copy of that picture for
    /// the caller (a crop, a box reduction), plus a progressive JPEG's coefficients (2 bytes per
    /// sample of the whole picture, whatever the scale).
    /// Computed in floating point and saturated: a header read from bytes alone may claim sides
    /// of 2^32 − 1, whose products overflow an Int.
    public func estimatedBytes(scale: Int) -> Int {
        let size = decodedSize(scale: scale)
        let pixels = Double(size.width) * Double(size.height)
        let raw = pixels * Double(components * bytesPerSample)
        let picture = pixels * Double(decodedChannels)
        let coefficients = progressive ? Double(width) * Double(height) * Double(components) * 2 : 0
        let total = Double(fileBytes) + raw + 2 * picture + coefficients
        return total >= 9.0e18 ? Int.max : Int(total)
    }

    /// Reads the header of the file at `path` from its first bytes. Nil when there is no header
    /// to read (not PNG or JPEG, damaged, over `limits`): the decoder then fails on the same
    /// bytes before it allocates any pixels, with the precise message.
    public static func read(path: String, limits: ImageLimits = .default) -> ImageHeader? {
        guard let (prefix, size) = try? FileAccess.readPrefix(path: path, count: prefixBytes), size <= limits.maxFileBytes else {
            return nil
        }
        if let header = read(bytes: prefix, fileBytes: size) {
            return (try? limits.check(width: header.width, height: header.height, source: path)) == nil ? nil : header
        }
        guard size > prefix.count, ImageFormat.detect(prefix) == .jpeg,
              let whole = try? FileAccess.read(path: path, maxBytes: limits.maxFileBytes),
              let header = read(bytes: whole, fileBytes: whole.count) else { return nil }
        return (try? limits.check(width: header.width, height: header.height, source: path)) == nil ? nil : header
    }

    /// The header in the first bytes of a file of `fileBytes` bytes, or nil.
    public static func read(bytes: [UInt8], fileBytes: Int) -> ImageHeader? {
        switch ImageFormat.detect(bytes) {
        case .png:
            // Signature, then IHDR: length 13, "IHDR", width, height, bit depth, colour type, …, interlace.
            guard bytes.count >= 33, bytes[12..<16].elementsEqual("IHDR".utf8) else { return nil }
            func u32(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
            let width = u32(16), height = u32(20), depth = Int(bytes[24]), colourType = Int(bytes[25])
            guard width > 0, height > 0 else { return nil }
            let components: Int
            switch colourType {
            case 0: components = 1
            case 2: components = 3
            case 3: components = 3  // palette indices, expanded to RGB
            case 4: components = 2
            case 6: components = 4
            default: return nil
            }
            return ImageHeader(format: .png, width: width, height: height, components: components,
                               bytesPerSample: depth == 16 ? 2 : 1, progressive: bytes[28] != 0, orientation: 1,
                               fileBytes: fileBytes)
        case .jpeg:
            var header = loupe_jpeg_header()
            var status = loupe_codec_status.blank
            let code = bytes.withUnsafeBufferPointer { loupe_jpeg_read_header($0.baseAddress, $0.count, &header, &status) }
            guard code == LOUPE_CODEC_OK, header.width > 0, header.height > 0 else { return nil }
            return ImageHeader(format: .jpeg, width: Int(header.width), height: Int(header.height),
                               components: Int(header.components), bytesPerSample: 1, progressive: header.progressive != 0,
                               orientation: EXIFOrientation.read(fromJPEG: bytes), fileBytes: fileBytes)
        case nil:
            return nil
        }
    }
}
