/// The chunk structure of a PNG, checked in Swift before libpng sees the data.
///
/// Walking the chunks first gives precise messages (which chunk has a bad CRC, where the file
/// ends) and the IHDR geometry, so limits are checked before anything is allocated.
struct PNGContainer {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    var width: Int
    var height: Int
    var bitDepth: Int
    var colourType: Int
    var interlaced: Bool

    /// Channels of the decoded image: grey and grey+alpha give 1, everything else 3.
    var decodedChannels: Int { colourType == 0 || colourType == 4 ? 1 : 3 }

    /// Reads IHDR and verifies every chunk's length and CRC up to IEND.
    init(bytes: [UInt8], source: String) throws(ImageError) {
        guard bytes.count >= 8 else { throw .truncated(source: source, detail: "only \(bytes.count) bytes") }
        guard Array(bytes[0..<8]) == Self.signature else { throw .notAnImage(source: source) }
        var position = 8
        var header: (Int, Int, Int, Int, Bool)?
        var sawImageData = false
        while true {
            guard bytes.count - position >= 12 else {
                throw .truncated(source: source, detail: "the data ends after \(bytes.count) bytes, before the IEND chunk")
            }
            let length = Int(Self.bigEndian32(bytes, position))
            let type = Array(bytes[(position + 4)..<(position + 8)])
            let name = Self.chunkName(type)
            guard length <= bytes.count - position - 12 else {
                throw .truncated(source: source, detail: "chunk '\(name)' needs \(length) bytes, the file ends sooner")
            }
            let dataStart = position + 8
            let stored = Self.bigEndian32(bytes, dataStart + length)
            let computed = CRC32.checksum(bytes[(position + 4)..<(dataStart + length)])
            guard stored == computed else { throw .badChecksum(source: source, chunk: name) }
            if header == nil {
                guard name == "IHDR", length == 13 else {
                    throw .corrupt(source: source, detail: "the first chunk is '\(name)', not IHDR")
                }
                header = (Int(Self.bigEndian32(bytes, dataStart)), Int(Self.bigEndian32(bytes, dataStart + 4)),
                          Int(bytes[dataStart + 8]), Int(bytes[dataStart + 9]), bytes[dataStart + 12] != 0)
            }
            if name == "IDAT" { sawImageData = true }
            position = dataStart + length + 4
            if name == "IEND" { break }
        }
        guard let (width, height, bitDepth, colourType, interlaced) = header else {
            throw .corrupt(source: source, detail: "no IHDR chunk")
        }
        guard sawImageData else { throw .corrupt(source: source, detail: "no IDAT chunk") }
        guard width > 0, height > 0 else {
            throw .corrupt(source: source, detail: "the header gives a size of \(width)x\(height)")
        }
        self.width = width
        self.height = height
        self.bitDepth = bitDepth
        self.colourType = colourType
        self.interlaced = interlaced
    }

    private static func bigEndian32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }

    /// A printable chunk name (bytes outside ASCII letters shown as \xNN).
    private static func chunkName(_ type: [UInt8]) -> String {
        type.map { byte in
            (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16, uppercase: true)
        }.joined()
    }
}

/// CRC-32 as PNG and zlib define it (polynomial 0xEDB88320, reflected).
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 != 0 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func checksum<Bytes: Collection>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
