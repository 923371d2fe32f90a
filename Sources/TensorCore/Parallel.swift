import Dispatch
import Foundation
import COpenMP
#if canImport(Glibc)
import Glibc
#endif

/// Deterministic data-parallel loops for the engine's elementwise and reduction work.
///
/// Work is always cut into the same chunks for a given problem size, whatever the number of
/// cores, so reductions that combine per-chunk partial results in chunk order give
/// bit-identical answers on every run.
public enum Parallel {
    /// Cores used for the engine's own loops (BLAS has its own threads; never both at once).
    public static let cores: Int = {
        #if canImport(Glibc)
        let n = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        return max(1, n)
        #else
        return 1
        #endif
    }()

    /// Threads this process should keep busy at once (decoding workers, its share of the host):
    /// `OMP_NUM_THREADS` when set — under mpirun the executable sets it to the cores of the host
    /// divided among its ranks, or the cores the rank is bound to — else the cores it may run on.
    /// Never more than those cores.
    public static var threads: Int {
        let allowed = max(1, ProcessInfo.processInfo.activeProcessorCount)
        guard let text = getenv("OMP_NUM_THREADS").map({ String(cString: $0) }),
              let n = Int(text.split(separator: ",").first.map(String.init) ?? ""), n >= 1 else { return allowed }
        return min(n, allowed)
    }

    /// This thread's index in OpenMP's pool inside a `forChunks` body (0 outside one).
    public static var thread: Int { Int(loupe_omp_thread()) }

    /// Runs `body(chunkIndex, range)` for each chunk of `0..<count`, chunks of `chunkSize`
    /// items, in parallel when there is more than one chunk.
    public static func forChunks(count: Int, chunkSize: Int,
                                 _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) {
        guard count > 0 else { return }
        let size = max(1, chunkSize)
        let chunks = (count + size - 1) / size
        if chunks == 1 || cores == 1 {
            for c in 0..<chunks { body(c, (c * size)..<min(count, (c + 1) * size)) }
            return
        }
        // The chunks write disjoint memory by contract of every caller; the box tells Swift so.
        withoutActuallyEscaping(body) { escaping in
            if pool == .openMP {
                var job = Job(body: escaping, count: count, size: size)
                withUnsafeMutablePointer(to: &job) { p in
                    loupe_omp_for(Int32(chunks), p) { context, c in
                        let job = context!.assumingMemoryBound(to: Job.self).pointee
                        let c = Int(c)
                        job.body(c, (c * job.size)..<min(job.count, (c + 1) * job.size))
                    }
                }
                return
            }
            let task = UncheckedSendable(escaping)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                task.value(c, (c * size)..<min(count, (c + 1) * size))
            }
        }
    }

    private struct Job {
        let body: (Int, Range<Int>) -> Void
        let count: Int, size: Int
    }

    /// The thread pool that runs the engine's loops.
    public enum Pool: String, Sendable {
        /// OpenMP's (libgomp), the pool oneDNN's convolutions run on: one pool for all the
        /// engine's parallel work, so neither waits on threads the other keeps busy.
        case openMP = "openmp"
        /// libdispatch's, beside OpenMP's (`LOUPE_POOL=dispatch`, for measurements).
        case dispatch
    }

    public static let pool: Pool = {
        if let v = getenv("LOUPE_POOL"), let p = Pool(rawValue: String(cString: v)) { return p }
        return .openMP
    }()

    /// Number of chunks `forChunks` will use.
    public static func chunkCount(count: Int, chunkSize: Int) -> Int {
        count <= 0 ? 0 : (count + max(1, chunkSize) - 1) / max(1, chunkSize)
    }
}

/// Wraps a value that is shared across threads under a contract the compiler cannot check
/// (e.g. each thread writes its own disjoint slice of a buffer).
public struct UncheckedSendable<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}

#if canImport(Glibc)
import Glibc
#endif
