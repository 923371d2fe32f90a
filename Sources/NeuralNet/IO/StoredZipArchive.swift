/// A zip archive of *stored* (uncompressed) entries, as `torch.save` writes them.
///
/// Only the central directory is trusted for sizes (torch.save writes local headers with sizes
/// of 0 and a data descriptor after each entry); every offset and size is checked to lie inside
/// the file, and each entry's local header is checked against its central record. Compressed,
/// encrypted and zip64 archives are refused. Entry data is a range of the archive's bytes; no
/// entry is copied until it is asked for.
struct StoredZipArchive {
    struct Entry {
        let name: String
        let range: Range<Int>
        let crc32: UInt32
    }

    let bytes: [UInt8]
    let source: String
    private(set) var entries: [String: Entry] = [:]
    private(set) var names: [String] = []

    private static let endOfCentralDirectory: UInt32 = 0x0605_4B50
    private static let centralHeader: UInt32 = 0x0201_4B50
    private static let localHeader: UInt32 = 0x0403_4B50

    init(bytes: [UInt8], source: String) throws(ModelFileError) {
        self.bytes = bytes
        self.source = source
        guard !bytes.isEmpty else { throw .empty(path: source) }
        guard bytes.count >= 4, bytes.littleEndian(UInt32.self, at: 0) == Self.localHeader else {
            throw .notTorchArchive(path: source, reason: "it does not start with a zip header")
        }
        let end = try findEndOfCentralDirectory()
        let entryCount = Int(bytes.littleEndian(UInt16.self, at: end + 10))
        let directorySize = Int(bytes.littleEndian(UInt32.self, at: end + 12))
        let directoryStart = Int(bytes.littleEndian(UInt32.self, at: end + 16))
        if entryCount == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryStart == 0xFFFF_FFFF {
            throw .corruptArchive(path: source, reason: "it is a zip64 archive (over 4 GiB or 65 535 entries), which Loupe does not read")
        }
        guard directoryStart + directorySize <= end else {
            throw .corruptArchive(path: source, reason: "the central directory (bytes \(directoryStart)..<\(directoryStart + directorySize)) "
                + "runs past its end record at byte \(end)")
        }
        var p = directoryStart
        for _ in 0..<entryCount {
            let entry = try readCentralRecord(at: &p, directoryStart: directoryStart, directoryEnd: directoryStart + directorySize)
            guard entries[entry.name] == nil else {
                throw .corruptArchive(path: source, reason: "entry '\(entry.name)' appears twice")
            }
            entries[entry.name] = entry
            names.append(entry.name)
        }
    }

    /// The end-of-central-directory record sits in the last 22 + 65 535 bytes (it may be
    /// followed by a comment of up to 65 535 bytes); search backwards for its signature.
    private func findEndOfCentralDirectory() throws(ModelFileError) -> Int {
        let recordSize = 22
        guard bytes.count >= recordSize + 4 else {
            throw .truncated(path: source, what: "a zip archive", neededBytes: recordSize + 4, fileBytes: bytes.count)
        }
        let lowest = max(0, bytes.count - recordSize - 0xFFFF)
        var p = bytes.count - recordSize
        while p >= lowest {
            if bytes.littleEndian(UInt32.self, at: p) == Self.endOfCentralDirectory,
               p + recordSize + Int(bytes.littleEndian(UInt16.self, at: p + 20)) == bytes.count {
                return p
            }
            p -= 1
        }
        throw .corruptArchive(path: source, reason: "no end-of-central-directory record; the file is probably truncated")
    }

    private func readCentralRecord(at p: inout Int, directoryStart: Int, directoryEnd: Int) throws(ModelFileError) -> Entry {
        guard p + 46 <= directoryEnd, bytes.littleEndian(UInt32.self, at: p) == Self.centralHeader else {
            throw .corruptArchive(path: source, reason: "a central directory record at byte \(p) is missing or cut short")
        }
        let flags = bytes.littleEndian(UInt16.self, at: p + 8)
        let method = Int(bytes.littleEndian(UInt16.self, at: p + 10))
        let crc = bytes.littleEndian(UInt32.self, at: p + 16)
        let compressedSize = Int(bytes.littleEndian(UInt32.self, at: p + 20))
        let size = Int(bytes.littleEndian(UInt32.self, at: p + 24))
        let nameLength = Int(bytes.littleEndian(UInt16.self, at: p + 28))
        let extraLength = Int(bytes.littleEndian(UInt16.self, at: p + 30))
        let commentLength = Int(bytes.littleEndian(UInt16.self, at: p + 32))
        let localOffset = Int(bytes.littleEndian(UInt32.self, at: p + 42))
        let recordEnd = p + 46 + nameLength + extraLength + commentLength
        guard recordEnd <= directoryEnd else {
            throw .corruptArchive(path: source, reason: "a central directory record at byte \(p) runs past the directory")
        }
        let name = String(decoding: bytes[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
        p = recordEnd
        guard flags & 1 == 0 else { throw .corruptArchive(path: source, reason: "entry '\(name)' is encrypted") }
        guard method == 0 else { throw .compressedEntry(path: source, entry: name, method: method) }
        guard compressedSize == size else {
            throw .corruptArchive(path: source, reason: "stored entry '\(name)' has different packed and unpacked sizes")
        }
        if compressedSize == 0xFFFF_FFFF || localOffset == 0xFFFF_FFFF {
            throw .corruptArchive(path: source, reason: "entry '\(name)' uses zip64 sizes (over 4 GiB), which Loupe does not read")
        }
        // The local header repeats the name; its extra field (torch.save pads with it to align
        // the data) may differ in length from the central one.
        guard localOffset + 30 <= bytes.count, bytes.littleEndian(UInt32.self, at: localOffset) == Self.localHeader else {
            throw .corruptArchive(path: source, reason: "entry '\(name)' points to byte \(localOffset), where there is no local header")
        }
        let localNameLength = Int(bytes.littleEndian(UInt16.self, at: localOffset + 26))
        let localExtraLength = Int(bytes.littleEndian(UInt16.self, at: localOffset + 28))
        let dataStart = localOffset + 30 + localNameLength + localExtraLength
        guard localNameLength == nameLength, dataStart <= bytes.count,
              bytes[(localOffset + 30)..<(localOffset + 30 + nameLength)].elementsEqual(name.utf8) else {
            throw .corruptArchive(path: source, reason: "the local header of entry '\(name)' does not match the central directory")
        }
        guard dataStart + size <= bytes.count else {
            throw .truncated(path: source, what: "zip entry '\(name)'", neededBytes: dataStart + size, fileBytes: bytes.count)
        }
        guard dataStart + size <= directoryStart else {
            throw .corruptArchive(path: source, reason: "entry '\(name)' (bytes \(dataStart)..<\(dataStart + size)) runs into "
                + "the central directory at byte \(directoryStart)")
        }
        return Entry(name: name, range: dataStart..<(dataStart + size), crc32: crc)
    }

    /// The bytes range of entry `name`, after checking its CRC-32 against the central directory.
    func verifiedRange(of name: String) throws(ModelFileError) -> Range<Int>? {
        guard let entry = entries[name] else { return nil }
        guard CRC32.checksum(bytes[entry.range]) == entry.crc32 else {
            throw .checksumMismatch(path: source, entry: name)
        }
        return entry.range
    }
}

/// CRC-32 (IEEE 802.3, the one zip uses), table-driven.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        table.withUnsafeBufferPointer { t in
            bytes.withUnsafeBufferPointer { b in
                var c: UInt32 = 0xFFFF_FFFF
                for byte in b { c = t[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
                return c ^ 0xFFFF_FFFF
            }
        }
    }
}
