import Foundation
import Imaging

/// Bounds the bytes that images being decoded side by side hold at once.
///
/// Each decode estimates its bytes from the file's header (`ImageHeader.estimatedBytes`) and
/// acquires them before it reads the file; it releases them when its pixels have been turned
/// into what the caller keeps (a rendered model input, hashes, a thumbnail). A decode waits
/// while others hold too much, so the threads of a loader, a review or an `add` never hold more
/// than `capacity` together. A decode alone always proceeds when it fits (no deadlock: holders
/// never wait for one another); an image that does not fit alone is refused with
/// `ImageError.overBudget`, which names the file, its size, the budget and `LOUPE_DECODE_MB`.
public final class DecodeBudget: @unchecked Sendable {
    /// The most bytes held at once.
    public let capacity: Int
    private let condition = NSCondition()
    private var held = 0
    private var holders = 0
    private var highest = 0
    private var highestHolders = 0
    private var nextTicket = 0
    private var serving = 0
    private var waiting = 0

    /// The environment variable that sets the shared budget, in megabytes.
    public static let variable = "LOUPE_DECODE_MB"

    public init(capacity: Int) {
        precondition(capacity > 0, "a decoding budget must be positive")
        self.capacity = capacity
    }

    /// The budget every dataset shares unless given another: `LOUPE_DECODE_MB` megabytes, else
    /// a quarter of physical memory, at least 256 MB and at most 1 GiB.
    public static let shared = DecodeBudget(capacity: capacity(environment: ProcessInfo.processInfo.environment,
                                                                physicalMemory: ProcessInfo.processInfo.physicalMemory))

    /// The shared budget's capacity for an environment and a memory size (a value of
    /// `LOUPE_DECODE_MB` that is not a positive whole number is ignored).
    public static func capacity(environment: [String: String], physicalMemory: UInt64) -> Int {
        if let text = environment[variable]?.trimmingCharacters(in: .whitespaces), let mb = Int(text), mb > 0, mb <= 1 << 30 {
            return mb << 20
        }
        return Int(min(max(physicalMemory / 4, 256 << 20), 1 << 30))
    }

    /// Waits until `bytes` fit beside what others hold, then holds them; throws when they could
    /// never fit. `header` and `source` name the image in the refusal.
    public func acquire(_ bytes: Int, for header: ImageHeader, source: String) throws(ImageError) {
        guard bytes <= capacity else {
            let size = header.uprightSize
            throw .overBudget(source: source, width: size.width, height: size.height, bytes: bytes, budget: capacity,
                              setting: Self.variable)
        }
        condition.lock(); defer { condition.unlock() }
        // First come, first served: a large image waiting for room is not overtaken forever by small ones.
        let ticket = nextTicket
        nextTicket += 1
        while ticket != serving || (held > 0 && held + bytes > capacity) {
            waiting += 1
            condition.wait()
            waiting -= 1
        }
        serving += 1
        // The next in line may fit now too (only worth a wake-up when someone waits).
        if waiting > 0 { condition.broadcast() }
        held += bytes
        holders += 1
        highest = max(highest, held)
        highestHolders = max(highestHolders, holders)
    }

    /// Gives back bytes acquired before.
    public func release(_ bytes: Int) {
        condition.lock(); defer { condition.unlock() }
        held -= bytes
        holders -= 1
        if waiting > 0 { condition.broadcast() }
    }

    /// The most bytes held at once so far, and the most decodes that held bytes at once.
    public var peak: (bytes: Int, decodes: Int) {
        condition.lock(); defer { condition.unlock() }
        return (highest, highestHolders)
    }

    /// Bytes held now.
    public var inFlight: Int {
        condition.lock(); defer { condition.unlock() }
        return held
    }
}
