/// The ranks of a data-parallel job as the engine sees them: sums, broadcasts and gathers over
/// every rank, each call made by every rank in the same order (a collective).
///
/// A single process has none (`nil` wherever one is taken): then every path is the one-process
/// path, unchanged. The MPI implementation lives in `LoupeMPI`; tests use in-process groups.
public protocol Communicator: AnyObject {
    /// This process's number, 0 ..< size; rank 0 prints and writes files.
    var rank: Int { get }
    var size: Int { get }
    /// Element-wise sums over all ranks, in place; every rank receives the same bits.
    func allReduceSum(_ buffer: UnsafeMutablePointer<Float>, count: Int)
    func allReduceSum(_ buffer: UnsafeMutablePointer<Double>, count: Int)
    /// Rank `root`'s `bytes` bytes into every rank's buffer.
    func broadcast(_ buffer: UnsafeMutableRawPointer, bytes: Int, root: Int)
    /// Every rank's bytes, in rank order, on every rank.
    func allGather(_ bytes: [UInt8]) -> [[UInt8]]
}

extension Communicator {
    /// Sums of a few numbers (losses, counts) over all ranks.
    public func allReduceSum(_ values: [Double]) -> [Double] {
        var v = values
        v.withUnsafeMutableBufferPointer { allReduceSum($0.baseAddress!, count: $0.count) }
        return v
    }

    /// Rank 0's value of `flag` on every rank: decisions (stop, diverged) are taken at rank 0 and followed.
    public func agree(_ flag: Bool) -> Bool {
        var byte: UInt8 = flag ? 1 : 0
        broadcast(&byte, bytes: 1, root: 0)
        return byte != 0
    }

    /// Rank 0's floats into every rank's buffer.
    public func broadcast(_ buffer: UnsafeMutablePointer<Float>, count: Int) {
        broadcast(UnsafeMutableRawPointer(buffer), bytes: count * MemoryLayout<Float>.stride, root: 0)
    }

    /// Rank 0's array of floats on every rank (same count everywhere).
    public func broadcast(_ values: inout [Float]) {
        let n = values.count
        values.withUnsafeMutableBufferPointer { broadcast($0.baseAddress!, count: n) }
    }
}

/// Which part of every batch this process works on: rank `index` of `count` takes the rows
/// `index·n/count ..< (index+1)·n/count` of a batch of n, so the parts in rank order are the
/// batch in its own order (a rank may get no rows when n < count).
public struct Shard: Sendable, Equatable {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) {
        precondition(count >= 1 && (0..<count).contains(index), "shard \(index) of \(count)")
        self.index = index; self.count = count
    }

    /// The whole batch (one process).
    public static let whole = Shard(index: 0, count: 1)

    /// This rank's share of the communicator's ranks, or the whole without one.
    public init(_ communicator: Communicator?) {
        self = communicator.map { Shard(index: $0.rank, count: $0.size) } ?? .whole
    }

    /// This shard's rows of `0 ..< n`.
    public func range(_ n: Int) -> Range<Int> { (index * n / count) ..< ((index + 1) * n / count) }
}
