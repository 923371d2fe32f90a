import Foundation
import Imaging
import Synchronization

/// Decodes an image file (by content) into pixels; throws when it cannot.
public typealias ImageDecoder = @Sendable (String) throws -> Image

/// Many same-sized 8-bit images in one buffer (IDX datasets), `count` × `height` × `width` × `channels`.
public struct ImageBlock: Sendable {
    public let width: Int
    public let height: Int
    public let channels: Int
    public let count: Int
    public let bytes: [UInt8]

    public init(width: Int, height: Int, channels: Int, count: Int, bytes: [UInt8]) {
        precondition(bytes.count == width * height * channels * count, "image block size mismatch")
        self.width = width; self.height = height; self.channels = channels; self.count = count; self.bytes = bytes
    }

    public func image(_ i: Int) -> Image {
        let n = width * height * channels
        return Image(width: width, height: height, channels: channels, pixels: Array(bytes[(i * n)..<((i + 1) * n)]))
    }
}

/// Gives the pixels of a sample: from memory, from a bounded cache, or by decoding its file.
///
/// Folder and CSV datasets decode lazily so that a dataset larger than RAM still trains.
/// Decoded images are cached until `cacheBudget` bytes are used, then the cache stops growing
/// (rather than evicting): a shuffled epoch visits every image once, so any eviction policy
/// would only trade one miss for another, while a fixed resident set keeps a steady hit rate.
public final class ImageStore: Sendable {
    public let block: ImageBlock?
    /// In-memory images of different sizes (used when there is no block).
    public let images: [Image]
    public let decoder: ImageDecoder
    public let cacheBudget: Int
    private struct CacheState {
        var images: [String: Image] = [:]
        var bytes = 0
        var failures: [String: String] = [:]
    }
    private let state = Mutex(CacheState())

    /// The default cache budget: a quarter of physical memory, at most 4 GiB.
    public static var defaultCacheBudget: Int {
        Int(min(ProcessInfo.processInfo.physicalMemory / 4, 4 << 30))
    }

    public init(block: ImageBlock? = nil, images: [Image] = [], decoder: @escaping ImageDecoder,
                cacheBudget: Int = ImageStore.defaultCacheBudget) {
        self.block = block
        self.images = images
        self.decoder = decoder
        self.cacheBudget = cacheBudget
    }

    /// The pixels of one sample. Failures are remembered (and thrown again without re-reading).
    public func image(_ source: SampleSource) throws -> Image {
        switch source {
        case let .memory(i):
            if let block, i >= 0, i < block.count { return block.image(i) }
            if block == nil, i >= 0, i < images.count { return images[i] }
            throw DatasetError.unreadable(path: "#\(i)", reason: "no such in-memory image")
        case let .file(path):
            let cached: (Image?, String?) = state.withLock { ($0.images[path], $0.failures[path]) }
            if let image = cached.0 { return image }
            if let reason = cached.1 { throw DatasetError.unreadable(path: path, reason: reason) }
            let image: Image
            do {
                image = try decoder(path)
            } catch {
                let reason = reasonText(error, path: path)
                state.withLock { $0.failures[path] = reason }
                throw DatasetError.unreadable(path: path, reason: reason)
            }
            state.withLock { s in
                if s.images[path] == nil, s.bytes + image.pixels.count <= cacheBudget {
                    s.images[path] = image
                    s.bytes += image.pixels.count
                }
            }
            return image
        }
    }

    /// Files that failed to decode since the store was made, with their reasons, sorted by path.
    public var failures: [UnreadableFile] {
        state.withLock { s in s.failures.map { UnreadableFile(path: $0.key, reason: $0.value) } }
            .sorted { $0.path < $1.path }
    }

    /// Bytes of decoded pixels held in the cache.
    public var cachedBytes: Int { state.withLock { $0.bytes } }
}
