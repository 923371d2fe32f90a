import Imaging

/// A 64-bit hash of an image's geometry and pixels: equal images hash equal, so equal hashes
/// mark exact duplicates (a chance collision among a million images is about 1 in 40 million).
public func contentHash(_ image: Image) -> UInt64 {
    // A multiply–xorshift mix over 8-byte words (in the spirit of wyhash): fast and well spread.
    @inline(__always) func mix(_ h: UInt64, _ w: UInt64) -> UInt64 {
        var x = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
        x ^= x >> 32
        return x &* 0xD6E8_FEB8_6659_FD93
    }
    var h = mix(0x243F_6A88_85A3_08D3, UInt64(image.width) << 32 | UInt64(image.height) << 8 | UInt64(image.channels))
    image.pixels.withUnsafeBytes { raw in
        let n = raw.count / 8
        for i in 0..<n { h = mix(h, raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) }
        var tail: UInt64 = 0
        for i in (n * 8)..<raw.count { tail = tail << 8 | UInt64(raw[i]) }
        h = mix(h, tail ^ UInt64(raw.count))
    }
    return h ^ (h >> 29)
}

/// A 64-bit difference hash (dHash): grey, shrunk to 9×8, one bit per horizontal neighbour pair.
///
/// Resizing, recompression and small brightness changes barely move it, so images a few bits
/// apart (Hamming distance) are the same picture.
public func differenceHash(_ image: Image) -> UInt64 {
    let small = resample(image, map: .resize(from: image.width, image.height, to: 9, 8), width: 9, height: 8).grey()
    var h: UInt64 = 0
    for y in 0..<8 {
        for x in 0..<8 {
            h = h << 1 | (small.values[y * 9 + x] < small.values[y * 9 + x + 1] ? 1 : 0)
        }
    }
    return h
}

/// Number of differing bits.
@inline(__always) public func hammingDistance(_ a: UInt64, _ b: UInt64) -> Int { (a ^ b).nonzeroBitCount }
