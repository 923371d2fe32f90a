#if canImport(Glibc)
import Glibc
#endif

// oneDNN (Debian's build) runs on OpenMP (libgomp), and so do the engine's own loops
// (`Parallel.pool`): one pool of threads for all parallel work. Between parallel regions
// libgomp's threads spin before they sleep, GOMP_SPINCOUNT iterations (300 000 by default,
// 30 billion under OMP_WAIT_POLICY=active). A spinning thread costs nothing while the machine
// is otherwise idle, but on a shared machine it burns the time slice that the thread it waits
// for needs, and a 2-core machine running anything else collapses (measured in BENCHMARKS.md).
// libgomp reads these variables once, when it loads, before `main`: the executable starts
// itself again with them set (see `threadEnvironment`).

extension OneDNN {
    /// The spin count Loupe starts libgomp with, unless the user set OMP_WAIT_POLICY or
    /// GOMP_SPINCOUNT: short enough that a waiting thread sleeps within tens of microseconds.
    public static let spinCount = "20000"

    /// Variables to set before libgomp loads (empty when the user chose a policy already).
    public static func threadEnvironment(_ lookup: (String) -> String? = { getenv($0).map { String(cString: $0) } }) -> [(String, String)] {
        if lookup("OMP_WAIT_POLICY") != nil || lookup("GOMP_SPINCOUNT") != nil { return [] }
        return [("GOMP_SPINCOUNT", spinCount)]
    }
}
