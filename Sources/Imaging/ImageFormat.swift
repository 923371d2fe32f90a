/// Image formats recognised by their first bytes, never by the file name.
public enum ImageFormat: String, Sendable {
    case png = "PNG"
    case jpeg = "JPEG"

    /// The format whose signature starts `bytes`, or nil.
    ///
    /// A file that holds only the first bytes of a signature counts as that format, so that
    /// it is reported as truncated rather than as "not an image".
    public static func detect(_ bytes: [UInt8]) -> ImageFormat? {
        if bytes.count >= 4, bytes.starts(with: PNGContainer.signature.prefix(min(bytes.count, 8))) { return .png }
        if bytes.count >= 2, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes.count == 2 || bytes[2] == 0xFF { return .jpeg }
        return nil
    }

    /// The name of a well-known format Loupe does not decode, for a helpful message.
    static func unsupportedName(_ bytes: [UInt8]) -> String? {
        func starts(_ text: String, at offset: Int = 0) -> Bool {
            let signature = Array(text.utf8)
            return bytes.count >= offset + signature.count && Array(bytes[offset..<(offset + signature.count)]) == signature
        }
        if starts("GIF87a") || starts("GIF89a") { return "GIF" }
        if starts("BM") && bytes.count >= 26 { return "BMP" }
        if starts("RIFF") && starts("WEBP", at: 8) { return "WebP" }
        if starts("II*\0") || starts("MM\0*") { return "TIFF" }
        if starts("ftyp", at: 4) && (starts("heic", at: 8) || starts("heix", at: 8) || starts("avif", at: 8)) { return "HEIF/AVIF" }
        if bytes.starts(with: [0xFF, 0x4F, 0xFF, 0x51]) || starts("\0\0\0\u{0C}jP  ") { return "JPEG 2000" }
        return nil
    }
}
