/// Decodes PNG or JPEG bytes, recognised by content, to grey (1 channel) or RGB (3 channels).
///
/// `source` names the bytes in errors (usually the file path). See `PNG.decode` and
/// `JPEG.decode` for what each format gives.
///
/// `atLeast`: a JPEG may be decoded smaller (by a half, quarter or eighth) when it stays at least
/// that size, for a caller that will shrink it anyway (`JPEG.decode`); PNGs decode whole.
public func decodeImage(bytes: [UInt8], source: String, limits: ImageLimits = .default,
                        atLeast: (width: Int, height: Int)? = nil) throws -> Image {
    guard !bytes.isEmpty else { throw ImageError.emptyFile(source: source) }
    switch ImageFormat.detect(bytes) {
    case .png: return try PNG.decode(bytes, source: source, limits: limits)
    case .jpeg: return try JPEG.decode(bytes, source: source, limits: limits, atLeast: atLeast)
    case nil:
        if let name = ImageFormat.unsupportedName(bytes) {
            throw ImageError.unsupported(source: source, detail: "\(name) files are not read; convert to PNG or JPEG")
        }
        throw ImageError.notAnImage(source: source)
    }
}

/// Reads and decodes the image file at `path` (see `decodeImage(bytes:source:limits:)`).
public func decodeImage(path: String, limits: ImageLimits = .default, atLeast: (width: Int, height: Int)? = nil) throws -> Image {
    try decodeImage(bytes: FileAccess.read(path: path, maxBytes: limits.maxFileBytes), source: path, limits: limits, atLeast: atLeast)
}

/// Reads and decodes the image file at `path` at 1/`scale` of its size: a JPEG by libjpeg's DCT
/// scaling (`scale` 1, 2, 4 or 8, from `ImageHeader.scale(atLeast:)`); a PNG always whole.
public func decodeImage(path: String, limits: ImageLimits = .default, scale: Int) throws -> Image {
    let bytes = try FileAccess.read(path: path, maxBytes: limits.maxFileBytes)
    if scale != 1, ImageFormat.detect(bytes) == .jpeg { return try JPEG.decode(bytes, source: path, limits: limits, scale: scale) }
    return try decodeImage(bytes: bytes, source: path, limits: limits)
}
