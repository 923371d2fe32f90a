import Foundation

/// The batches of one epoch, produced by a background thread a bounded number of batches ahead.
///
/// Iterate it once. Dropping it early (e.g. training stopped) stops the producer after the
/// batch it is working on.
public final class EpochBatches: Sequence, IteratorProtocol {
    private let shared: PrefetchQueue
    private let count: Int
    private var nextNumber = 0
    /// Seconds the consumer spent waiting for batches (0 when loading kept up).
    public private(set) var waitSeconds = 0.0

    init(loader: BatchLoader, epoch: Int, prefetch: Int) {
        let order = loader.order(epoch: epoch)
        count = loader.batchCount
        shared = PrefetchQueue(capacity: prefetch)
        let queue = shared, total = count
        let thread = Thread {
            for number in 0..<total {
                guard queue.waitForRoom(before: number) else { return }
                queue.put(number, loader.batch(number, epoch: epoch, order: order))
            }
        }
        thread.name = "loupe.batches"
        thread.start()
    }

    deinit { shared.cancel() }

    public func next() -> ImageBatch? {
        guard nextNumber < count else { return nil }
        let start = DispatchTime.now().uptimeNanoseconds
        let batch = shared.take(nextNumber)
        waitSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        nextNumber += 1
        return batch
    }
}

/// Batches handed from the producer thread to the consumer, at most `capacity` waiting.
final class PrefetchQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private let capacity: Int
    private var ready: [Int: ImageBatch] = [:]
    private var consumed = 0
    private var cancelled = false

    init(capacity: Int) { self.capacity = capacity }

    /// Blocks until batch `number` may be made; false when the consumer has gone.
    func waitForRoom(before number: Int) -> Bool {
        condition.lock(); defer { condition.unlock() }
        while !cancelled && number - consumed >= capacity { condition.wait() }
        return !cancelled
    }

    func put(_ number: Int, _ batch: ImageBatch) {
        condition.lock(); defer { condition.unlock() }
        ready[number] = batch
        condition.broadcast()
    }

    func take(_ number: Int) -> ImageBatch {
        condition.lock(); defer { condition.unlock() }
        while ready[number] == nil { condition.wait() }
        consumed = number + 1
        condition.broadcast()
        return ready.removeValue(forKey: number)!
    }

    func cancel() {
        condition.lock(); defer { condition.unlock() }
        cancelled = true
        condition.broadcast()
    }
}
