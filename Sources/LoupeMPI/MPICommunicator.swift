import CMPI
import TensorCore

/// The ranks of an `mpirun` job (Open MPI through the `CMPI` shim) as the engine's `Communicator`.
///
/// Made once by the executable when it was launched by mpirun (`start()`); a process run alone
/// never makes one and never calls MPI (the binary still links `libmpi`). Threads per rank are
/// the executable's choice, made before MPI starts (`Sources/loupe/RankThreads.swift`).
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int

    private init(rank: Int, size: Int) {
        self.rank = rank; self.size = size
    }

    /// Whether mpirun (or another PMIx launcher) started this process: its environment says so.
    public static var isLaunchedByMPI: Bool { loupe_mpi_launched() != 0 }

    /// Initialises MPI; nil when MPI could not start (the caller reports it).
    public static func start() -> MPICommunicator? {
        var rank: Int32 = 0, size: Int32 = 1
        guard loupe_mpi_init(&rank, &size) == 0 else { return nil }
        return MPICommunicator(rank: Int(rank), size: Int(size))
    }

    public func allReduceSum(_ buffer: UnsafeMutablePointer<Float>, count: Int) {
        loupe_mpi_allreduce_float(buffer, count)
    }

    public func allReduceSum(_ buffer: UnsafeMutablePointer<Double>, count: Int) {
        loupe_mpi_allreduce_double(buffer, count)
    }

    public func broadcast(_ buffer: UnsafeMutableRawPointer, bytes: Int, root: Int) {
        loupe_mpi_broadcast(buffer, bytes, Int32(root))
    }

    public func allGather(_ bytes: [UInt8]) -> [[UInt8]] {
        var counts = [Int](repeating: 0, count: size)
        let joined = bytes.withUnsafeBytes { b in counts.withUnsafeMutableBufferPointer { c in
            loupe_mpi_allgather(b.baseAddress, bytes.count, c.baseAddress)
        } }
        defer { loupe_mpi_free(joined) }
        var parts: [[UInt8]] = [], offset = 0
        let base = joined!.assumingMemoryBound(to: UInt8.self)
        for n in counts {
            parts.append(Array(UnsafeBufferPointer(start: base + offset, count: n)))
            offset += n
        }
        return parts
    }

    // MARK: The job

    /// A rank other than 0 failed with `code`: tell rank 0 (which reports it), without waiting.
    public func reportFailure(code: Int32, text: String) {
        loupe_mpi_send_failure(code, text)
    }

    /// Every rank calls this after each statement with its own exit code (0 = success): returns 0
    /// when all succeeded, else the code the whole job ends with, after rank 0 printed the other
    /// ranks' failures as "rank N: …". Ranks that do not arrive within `graceSeconds` of a known
    /// failure are stuck in a collective: rank 0 then ends the job (MPI_Abort).
    /// `ownText`: rank 0's own failure, already printed (another rank's identical one is not repeated).
    public func endStatement(code: Int32, ownText: String? = nil, graceSeconds: Double = 10) -> Int32 {
        guard let ownText else { return loupe_mpi_statement_end(code, nil, graceSeconds) }
        return ownText.withCString { loupe_mpi_statement_end(code, $0, graceSeconds) }
    }

    /// The normal end of the job (every rank).
    public func finish() { loupe_mpi_finalize() }
}
