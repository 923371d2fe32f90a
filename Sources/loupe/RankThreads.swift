import Foundation
import Glibc

/// Threads per rank under mpirun: the cores this rank may use, shared with the other ranks on
/// its host, unless the user set OMP_NUM_THREADS (e.g. `mpirun -x OMP_NUM_THREADS=4 …`).
enum RankThreads {
    /// ("OMP_NUM_THREADS", n) to start libgomp with, or nothing (alone, or the user chose).
    static func environment(_ lookup: (String) -> String? = { getenv($0).map { String(cString: $0) } }) -> [(String, String)] {
        guard lookup("OMP_NUM_THREADS") == nil,
              let local = lookup("OMPI_COMM_WORLD_LOCAL_SIZE").flatMap({ Int($0) }), local >= 1 else { return [] }
        return [("OMP_NUM_THREADS", String(threads(localRanks: local)))]
    }

    /// When mpirun bound the rank to some cores (its default for 2 ranks or fewer: one core
    /// each), those cores; unbound, the host's cores divided among its ranks.
    static func threads(localRanks: Int, online: Int = ProcessInfo.processInfo.processorCount,
                        allowed: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
        allowed < online ? max(1, allowed) : max(1, online / localRanks)
    }
}
