import Foundation
import Imaging
import Synchronization

/// Decodes an image file (by content) into pixels at 1/`scale` of its size (1, 2, 4 or 8; a PNG
/// and `scale` 1 give the whole picture); throws when it cannot.
public typealias ImageDecoder = @Sendable (_ path: String, _ scale: Int) throws -> Image

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
///
/// A decode holds its estimated bytes of `budget` (shared by every store by default) from before
/// it reads the file until its caller is done with the pixels (`withImage`), so the threads of a
/// loader or a review never hold more than the budget in decoding images. A JPEG asked for at
/// least some size is decoded at libjpeg's reduced scale when it stays that large; the cache
/// keys images by path and scale, so a reduced picture never stands in for a whole one.
public final class ImageStore: Sendable {
    public let block: ImageBlock?
    /// In-memory images of different sizes (used when there is no block).
    public let images: [Image]
    public let decoder: ImageDecoder
    public let cacheBudget: Int
    public let budget: DecodeBudget
    public let limits: ImageLimits
    private struct Key: Hashable {
        var path: String
        var scale: Int
    }
    private enum KnownHeader {
        case header(ImageHeader)
        case unreadable
    }
    private struct CacheState {
        var images: [Key: Image] = [:]
        var bytes = 0
        var failures: [Key: String] = [:]
        var headers: [String: KnownHeader] = [:]
        var decodes = 0
        var reducedDecodes = 0
    }
    private let state = Mutex(CacheState())

    /// The default cache budget: a quarter of physical memory, at most 4 GiB.
    public static var defaultCacheBudget: Int {
        Int(min(ProcessInfo.processInfo.physicalMemory / 4, 4 << 30))
    }

    /// `decoder` nil: `decodeImage(path:limits:scale:)`.
    public init(block: ImageBlock? = nil, images: [Image] = [], decoder: ImageDecoder? = nil,
                cacheBudget: Int = ImageStore.defaultCacheBudget, limits: ImageLimits = .default,
                budget: DecodeBudget = .shared) {
        self.block = block
        self.images = images
        self.decoder = decoder ?? { path, scale in try decodeImage(path: path, limits: limits, scale: scale) }
        self.cacheBudget = cacheBudget
        self.limits = limits
        self.budget = budget
    }

    /// The pixels of one sample, whole. Failures are remembered (and thrown again without re-reading).
    ///
    /// The decode's share of the budget ends when this returns: callers that decode side by side
    /// use `withImage`, which holds it until they are done with the pixels.
    public func image(_ source: SampleSource) throws -> Image {
        try withImage(source) { $0 }
    }

    /// Calls `body` with the pixels of one sample, holding the decode's bytes of the budget until
    /// it returns. `atLeast` (width, height, upright): a JPEG may come decoded at a half, quarter or
    /// eighth of its size when it is still at least that large.
    public func withImage<T>(_ source: SampleSource, atLeast: (width: Int, height: Int)? = nil,
                             _ body: (Image) throws -> T) throws -> T {
        switch source {
        case let .memory(i):
            if let block, i >= 0, i < block.count { return try body(block.image(i)) }
            if block == nil, i >= 0, i < images.count { return try body(images[i]) }
            throw DatasetError.unreadable(path: "#\(i)", reason: "no such in-memory image")
        case let .file(path):
            guard let atLeast else { return try withFile(path, scale: 1, header: nil, cache: true, body) }
            // One look under the lock when the header is known and the picture of its scale cached.
            let known: (ImageHeader?, Image?) = state.withLock { s in
                guard case let .header(h)? = s.headers[path] else { return (nil, nil) }
                return (h, s.images[Key(path: path, scale: h.scale(atLeast: atLeast))])
            }
            if let image = known.1 { return try body(image) }
            let header = known.0 ?? self.header(path)
            return try withFile(path, scale: header?.scale(atLeast: atLeast) ?? 1, header: header, cache: true, body)
        }
    }

    /// Decodes a file at a scale under the budget (the header is read when not given).
    private func withFile<T>(_ path: String, scale: Int, header known: ImageHeader?, cache: Bool,
                             _ body: (Image) throws -> T) throws -> T {
        let key = Key(path: path, scale: scale)
        let cached: (Image?, String?) = state.withLock { ($0.images[key], $0.failures[key]) }
        if let image = cached.0 { return try body(image) }
        if let reason = cached.1 { throw DatasetError.unreadable(path: path, reason: reason) }
        let header = known ?? self.header(path)
        // No header: the decoder fails on the same bytes before allocating pixels, with its own message.
        let bytes = header?.estimatedBytes(scale: scale) ?? 0
        let image: Image
        do {
            if let header { try budget.acquire(bytes, for: header, source: path) }
            do {
                image = try decoder(path, scale)
            } catch {
                if header != nil { budget.release(bytes) }
                throw error
            }
        } catch {
            let reason = reasonText(error, path: path)
            state.withLock { $0.failures[key] = reason }
            throw DatasetError.unreadable(path: path, reason: reason)
        }
        defer { if header != nil { budget.release(bytes) } }
        state.withLock { s in
            s.decodes += 1
            if scale > 1 { s.reducedDecodes += 1 }
            if cache, s.images[key] == nil, s.bytes + image.pixels.count <= cacheBudget {
                s.images[key] = image
                s.bytes += image.pixels.count
            }
        }
        return try body(image)
    }

    /// The header of a file, read once.
    func header(_ path: String) -> ImageHeader? {
        if let known = state.withLock({ $0.headers[path] }) {
            if case let .header(h) = known { return h }
            return nil
        }
        let header = ImageHeader.read(path: path, limits: limits)
        state.withLock { $0.headers[path] = header.map { .header($0) } ?? .unreadable }
        return header
    }

    /// Decodes a file once to check it can be read (at load time), and gives its upright shape.
    ///
    /// Small pictures are decoded whole and cached, as training will want them. A JPEG that
    /// would take more than `wholeBytes` whole is decoded at an eighth of its size and not
    /// cached (libjpeg still reads all of its data, so damage is found as well): a loader asks
    /// for the scale its model needs, and the store keeps the pictures of that scale.
    func verify(_ source: SampleSource, wholeBytes: Int = 1 << 20) throws -> ImageShape {
        guard case let .file(path) = source else {
            return try withImage(source) { ImageShape(width: $0.width, height: $0.height, channels: $0.channels) }
        }
        let header = self.header(path)
        if let header, header.format == .jpeg, header.uprightSize.width * header.uprightSize.height * header.decodedChannels > wholeBytes {
            let size = header.uprightSize
            return try withFile(path, scale: 8, header: header, cache: false) { _ in
                ImageShape(width: size.width, height: size.height, channels: header.decodedChannels)
            }
        }
        return try withFile(path, scale: 1, header: header, cache: true) {
            ImageShape(width: $0.width, height: $0.height, channels: $0.channels)
        }
    }

    /// Files that failed to decode since the store was made, with their reasons, sorted by path
    /// (one reason per file).
    public var failures: [UnreadableFile] {
        state.withLock { s in
            var byPath: [String: String] = [:]
            for (key, reason) in s.failures.sorted(by: { $0.key.scale < $1.key.scale }) where byPath[key.path] == nil {
                byPath[key.path] = reason
            }
            return byPath.map { UnreadableFile(path: $0.key, reason: $0.value) }
        }
        .sorted { $0.path < $1.path }
    }

    /// Bytes of decoded pixels held in the cache.
    public var cachedBytes: Int { state.withLock { $0.bytes } }

    /// Files decoded so far, and how many of those decodes were at a reduced scale.
    public var decodeCounts: (all: Int, reduced: Int) { state.withLock { ($0.decodes, $0.reducedDecodes) } }
}
