/// Builds PNG files by hand (stored, uncompressed deflate blocks) for the encodings the
/// encoder under test never writes: 16-bit, grey+alpha, palettes with transparency, 1-bit.
struct PNGBuilder {
    var width: Int
    var height: Int
    var bitDepth: Int
    var colourType: Int
    var interlaced = false
    /// Extra chunks placed between IHDR and IDAT (PLTE, tRNS...).
    var chunks: [(String, [UInt8])] = []

    /// A PNG whose image data is `rows` (each already packed, without its filter byte).
    func build(rows: [[UInt8]]) -> [UInt8] {
        var raw: [UInt8] = []
        for row in rows { raw.append(0); raw += row }
        return build(filteredData: raw)
    }

    /// A PNG from filtered scanline data (the caller writes filter bytes; needed for Adam7).
    func build(filteredData raw: [UInt8]) -> [UInt8] {
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header = Self.bigEndian(UInt32(width)) + Self.bigEndian(UInt32(height))
        header += [UInt8(bitDepth), UInt8(colourType), 0, 0, interlaced ? 1 : 0]
        file += Self.chunk("IHDR", header)
        for (name, data) in chunks { file += Self.chunk(name, data) }
        file += Self.chunk("IDAT", Self.zlibStored(raw))
        file += Self.chunk("IEND", [])
        return file
    }

    static func chunk(_ name: String, _ data: [UInt8]) -> [UInt8] {
        let typeAndData = Array(name.utf8) + data
        return bigEndian(UInt32(data.count)) + typeAndData + bigEndian(crc32(typeAndData))
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        return crc ^ 0xFFFF_FFFF
    }

    /// zlib stream of stored deflate blocks (at most 65535 bytes each) and the Adler-32 trailer.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let count = min(65535, data.count - offset)
            let final: UInt8 = offset + count == data.count ? 1 : 0
            out += [final, UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)]
            out += data[offset..<(offset + count)]
            offset += count
        } while offset < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        return out + bigEndian(b << 16 | a)
    }
}
