/// Reads the EXIF orientation tag (0x0112) from a JPEG's APP1 segment.
///
/// Parsed here rather than by a library: only IFD0 of the TIFF structure is needed. Anything
/// malformed gives 1 (as stored), since a bad EXIF block should not make a picture unreadable.
enum EXIFOrientation {
    static func read(fromJPEG bytes: [UInt8]) -> Int {
        var position = 2  // after SOI
        while position + 4 <= bytes.count {
            guard bytes[position] == 0xFF else { return 1 }
            let marker = bytes[position + 1]
            if marker == 0xFF { position += 1; continue }  // fill byte
            // Orientation lives before the image data; stop at start of scan or end of image.
            if marker == 0xDA || marker == 0xD9 { return 1 }
            if (0xD0...0xD7).contains(marker) || marker == 0x01 { position += 2; continue }
            let length = Int(bytes[position + 2]) << 8 | Int(bytes[position + 3])
            guard length >= 2, position + 2 + length <= bytes.count else { return 1 }
            let payload = (position + 4)..<(position + 2 + length)
            if marker == 0xE1, payload.count >= 14,
               Array(bytes[payload.lowerBound..<(payload.lowerBound + 6)]) == Array("Exif\0\0".utf8) {
                return orientation(inTIFF: Array(bytes[(payload.lowerBound + 6)..<payload.upperBound]))
            }
            position += 2 + length
        }
        return 1
    }

    /// The orientation entry of IFD0 in a TIFF block ("II" little- or "MM" big-endian).
    static func orientation(inTIFF tiff: [UInt8]) -> Int {
        guard tiff.count >= 8 else { return 1 }
        let littleEndian: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): littleEndian = true
        case (0x4D, 0x4D): littleEndian = false
        default: return 1
        }
        func read16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= tiff.count else { return nil }
            return littleEndian ? Int(tiff[at]) | Int(tiff[at + 1]) << 8 : Int(tiff[at]) << 8 | Int(tiff[at + 1])
        }
        func read32(_ at: Int) -> Int? {
            guard let first = read16(at), let second = read16(at + 2) else { return nil }
            return littleEndian ? first | second << 16 : first << 16 | second
        }
        guard read16(2) == 42, let ifd = read32(4), let entries = read16(ifd) else { return 1 }
        for entry in 0..<entries {
            let at = ifd + 2 + entry * 12
            guard let tag = read16(at), let type = read16(at + 2) else { return 1 }
            // Type 3 is SHORT: the value sits in the first two bytes of the value field.
            if tag == 0x0112, type == 3, let value = read16(at + 8) {
                return (1...8).contains(value) ? value : 1
            }
        }
        return 1
    }
}
