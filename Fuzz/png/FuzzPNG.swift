import Imaging

// libFuzzer entry point: every input must decode or be refused with an ImageError, never trap.
// Limits are smaller than the defaults so one input cannot ask for hundreds of megabytes.
// Each input is decoded twice: as it is, and with every chunk's CRC made right, so mutations
// reach the decoder past the CRC check that would refuse almost all of them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = ImageLimits(maxPixels: 4_000_000, maxSide: 8192, maxFileBytes: 1 << 24)
    _ = try? decodeImage(bytes: bytes, source: "fuzz", limits: limits)
    let fixed = withCorrectCRCs(bytes)
    if fixed != bytes { _ = try? PNG.decode(fixed, source: "fuzz.png", limits: limits) }
    // The header the decoding budget reads before it decodes, and its memory estimate.
    if let header = ImageHeader.read(bytes: fixed, fileBytes: fixed.count) {
        _ = header.estimatedBytes(scale: header.scale(atLeast: (224, 224)))
    }
    return 0
}

/// CRC-32 (PNG's, ISO 3309) of `bytes[range]`.
let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
}

func crc32(_ bytes: [UInt8], _ range: Range<Int>) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for i in range { c = crcTable[Int((c ^ UInt32(bytes[i])) & 0xFF)] ^ (c >> 8) }
    return c ^ 0xFFFF_FFFF
}

/// The bytes with each chunk's CRC (over its type and data) recomputed, as far as the chunk
/// lengths lead.
func withCorrectCRCs(_ input: [UInt8]) -> [UInt8] {
    var bytes = input
    var at = 8
    while at + 12 <= bytes.count {
        let length = Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
        let end = at + 8 + length
        guard length >= 0, end + 4 <= bytes.count else { break }
        let crc = crc32(bytes, (at + 4)..<end)
        bytes[end] = UInt8(crc >> 24); bytes[end + 1] = UInt8((crc >> 16) & 0xFF)
        bytes[end + 2] = UInt8((crc >> 8) & 0xFF); bytes[end + 3] = UInt8(crc & 0xFF)
        at = end + 4
    }
    return bytes
}
