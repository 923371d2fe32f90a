import Foundation
import CZlib
#if canImport(Glibc)
import Glibc
#endif

/// The on-disk store of backbone features: one small file per (backbone, preprocessing, image,
/// copy), bounded in size, least-recently-used files evicted first.
///
/// Folder: `$LOUPE_HOME/features` (default `$XDG_CACHE_HOME/loupe/features`, i.e.
/// `~/.cache/loupe/features`), resolved as `WeightCache` resolves the weights folder. Size cap:
/// `LOUPE_FEATURE_CACHE_MAX` (bytes, or with a K/M/G suffix; default 2 GiB). Deleting the folder
/// clears it; nothing else refers to it.
///
/// A file is `LOUPEFT1`, the float count (UInt32, little-endian), the CRC-32 of the floats, then
/// the floats (float32, little-endian). Reads check magic, length, count and CRC, so a truncated
/// or damaged file is reported as corrupt (and recomputed by the caller), never trusted. Writes go
/// to a temporary file in the same folder and are renamed into place, so a reader never sees a
/// half-written file and concurrent writers (ranks of one job) cannot mix their bytes.
public struct FeatureCache: Sendable {
    public var folder: String
    /// Bytes the folder may hold after `trim()`.
    public var capacity: Int64

    public static let defaultCapacity: Int64 = 2 << 30
    /// The environment variable that overrides `defaultCapacity`.
    public static let capacityVariable = "LOUPE_FEATURE_CACHE_MAX"

    public init(folder: String, capacity: Int64 = FeatureCache.defaultCapacity) {
        self.folder = folder
        self.capacity = capacity
    }

    /// The folder and cap the environment gives (see the type's summary).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.cache"
        let loupeHome = environment["LOUPE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? cache + "/loupe"
        self.init(folder: loupeHome + "/features",
                  capacity: environment[Self.capacityVariable].flatMap(Self.parseSize) ?? Self.defaultCapacity)
    }

    /// "2G", "512M", "64k", "1000000" → bytes; nil for anything else.
    public static func parseSize(_ text: String) -> Int64? {
        var t = text.trimmingCharacters(in: .whitespaces).uppercased()
        if t.hasSuffix("IB") { t.removeLast(2) } else if t.hasSuffix("B") { t.removeLast() }
        var scale: Int64 = 1
        switch t.last {
        case "K": scale = 1 << 10; t.removeLast()
        case "M": scale = 1 << 20; t.removeLast()
        case "G": scale = 1 << 30; t.removeLast()
        case "T": scale = 1 << 40; t.removeLast()
        default: break
        }
        guard let v = Double(t), v >= 0, v.isFinite else { return nil }
        return Int64(v * Double(scale))
    }

    /// What a lookup found.
    public enum Lookup: Equatable {
        case hit([Float])
        case missing
        /// The file exists but is truncated, damaged or of the wrong size: recompute it.
        case corrupt
    }

    static let magic: [UInt8] = Array("LOUPEFT1".utf8)
    static let headerBytes = 16

    /// The file of a key (64 hex digits): two levels keep folders small.
    public func path(_ key: String) -> String { folder + "/" + key.prefix(2) + "/" + key + ".f32" }

    /// The features stored under `key`, checked to hold `count` floats. A hit marks the file as
    /// just used (its modification time), which is what eviction orders by.
    public func read(_ key: String, count: Int) -> Lookup {
        let p = path(key)
        guard let file = fopen(p, "rb") else { return .missing }
        defer { fclose(file) }
        let expected = Self.headerBytes + 4 * count
        var bytes = [UInt8](repeating: 0, count: expected + 1)
        let got = bytes.withUnsafeMutableBytes { fread($0.baseAddress, 1, expected + 1, file) }
        guard got == expected, Array(bytes[0..<8]) == Self.magic else { return .corrupt }
        let stored = bytes.withUnsafeBytes { ($0.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian,
                                              $0.loadUnaligned(fromByteOffset: 12, as: UInt32.self).littleEndian) }
        guard Int(stored.0) == count else { return .corrupt }
        let crc = bytes.withUnsafeBytes { Self.crc(UnsafeRawBufferPointer(rebasing: $0[Self.headerBytes..<expected])) }
        guard crc == stored.1 else { return .corrupt }
        var values = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            for i in 0..<count {
                values[i] = Float(bitPattern: raw.loadUnaligned(fromByteOffset: Self.headerBytes + 4 * i, as: UInt32.self).littleEndian)
            }
        }
        _ = utimes(p, nil)
        return .hit(values)
    }

    /// Stores `values` under `key` (temporary file, then rename).
    public func write(_ key: String, _ values: UnsafeBufferPointer<Float>) throws {
        let p = path(key)
        let dir = (p as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var bytes = Self.magic
        bytes.reserveCapacity(Self.headerBytes + 4 * values.count)
        func append(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        append(UInt32(values.count))
        append(0)
        for v in values { append(v.bitPattern) }
        let crc = bytes.withUnsafeBytes { Self.crc(UnsafeRawBufferPointer(rebasing: $0[Self.headerBytes...])) }
        withUnsafeBytes(of: crc.littleEndian) { c in for i in 0..<4 { bytes[12 + i] = c[i] } }
        let temporary = p + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
        }
        guard rename(temporary, p) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: p, NSLocalizedFailureReasonErrorKey: reason])
        }
    }

    static func crc(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return UInt32(crc32(0, nil, 0)) }
        return UInt32(crc32(crc32(0, nil, 0), base.assumingMemoryBound(to: Bytef.self), uInt(bytes.count)))
    }

    /// One stored file: its path, size and last use.
    struct Entry { let path: String; let bytes: Int64; let used: Double }

    /// Every file under the folder.
    func entries() -> [Entry] {
        guard let names = FileManager.default.subpaths(atPath: folder) else { return [] }
        var out: [Entry] = []
        for name in names {
            let p = folder + "/" + name
            var s = stat()
            guard stat(p, &s) == 0, (s.st_mode & S_IFMT) == S_IFREG else { continue }
            // The space the file takes on disk (a 2 KiB file fills a 4 KiB block), so the cap bounds the disk.
            out.append(Entry(path: p, bytes: max(Int64(s.st_size), Int64(s.st_blocks) * 512), used: Double(s.st_mtim.tv_sec) + Double(s.st_mtim.tv_nsec) / 1e9))
        }
        return out
    }

    /// Bytes the folder's files take on disk now.
    public var size: Int64 { entries().reduce(0) { $0 + $1.bytes } }

    /// Deletes the least recently used files until the folder holds at most `capacity` bytes;
    /// returns how many files and bytes went.
    @discardableResult
    public func trim() -> (files: Int, bytes: Int64) {
        let all = entries()
        var total = all.reduce(0) { $0 + $1.bytes }
        guard total > capacity else { return (0, 0) }
        var removed = 0, freed: Int64 = 0
        for e in all.sorted(by: { $0.used < $1.used }) where total > capacity {
            if unlink(e.path) == 0 { removed += 1; freed += e.bytes; total -= e.bytes }
        }
        return (removed, freed)
    }
}
