import Imaging

// libFuzzer entry point: every input must decode or be refused with an ImageError, never trap.
// The first byte picks a DCT-scaled decode (the loader's path for large JPEGs) or a whole one.
// The header reader of the decoding budget runs on the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJPEG(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let limits = ImageLimits(maxPixels: 4_000_000, maxSide: 8192, maxFileBytes: 1 << 24)
    let target: (width: Int, height: Int)? = data[0] & 1 == 0 ? nil : (Int(data[0] >> 1) + 1, Int(data[0] >> 1) + 1)
    _ = try? JPEG.decode(bytes, source: "fuzz.jpg", limits: limits, applyOrientation: data[0] & 2 != 0, atLeast: target)
    // The header the decoding budget reads before it decodes, and its memory estimate.
    if let header = ImageHeader.read(bytes: bytes, fileBytes: bytes.count) {
        _ = header.estimatedBytes(scale: header.scale(atLeast: target ?? (1, 1)))
    }
    return 0
}
