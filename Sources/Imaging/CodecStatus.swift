import CCodecs
// The C wrappers include png.h and jpeglib.h directly, which does not autolink; importing the
// system-library modules here makes the linker add -lpng16 and -ljpeg for every client.
internal import CJPEG
internal import CPNG

/// Bridges the C wrappers' status to `ImageError`.
extension loupe_codec_status {
    /// An empty status for a C call to fill in.
    static var blank: loupe_codec_status { loupe_codec_status() }

    /// The C message as a Swift string.
    var text: String {
        withUnsafeBytes(of: message) { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let end = bytes.firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes[..<end], as: UTF8.self)
        }
    }

    /// The error this status stands for when a decoder failed on `source`.
    func decodingError(source: String) -> ImageError {
        switch Int(code) {
        case Int(LOUPE_CODEC_TRUNCATED): return .truncated(source: source, detail: text)
        case Int(LOUPE_CODEC_UNSUPPORTED): return .unsupported(source: source, detail: text)
        case Int(LOUPE_CODEC_NO_MEMORY): return .tooLarge(source: source, width: 0, height: 0, limit: "out of memory")
        default: return .corrupt(source: source, detail: text)
        }
    }
}

/// Copies a malloc'd encoder buffer into Swift and frees it.
func takeEncodedBytes(_ buffer: UnsafeMutablePointer<UInt8>?, count: Int) -> [UInt8] {
    defer { loupe_codec_free(buffer) }
    guard let buffer else { return [] }
    return Array(UnsafeBufferPointer(start: buffer, count: count))
}
