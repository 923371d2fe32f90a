import Synchronization

/// A thread-safe "stop at the next safe point" request (Ctrl-C).
///
/// The front end's SIGINT handler calls `request()`; storing into an `Atomic` is lock-free
/// and async-signal-safe. Commands poll `CommandInvocation.shouldStop()` between batches.
public final class InterruptFlag: Sendable {
    private let requested = Atomic<Bool>(false)

    public init() {}

    public func request() { requested.store(true, ordering: .relaxed) }
    public func clear() { requested.store(false, ordering: .relaxed) }
    public var isRequested: Bool { requested.load(ordering: .relaxed) }
}
