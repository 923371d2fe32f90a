import XCTest
import Foundation
@testable import TensorCore

/// `Parallel.threads`: the decoding threads a process keeps busy follow its share of the host
/// (OMP_NUM_THREADS, which the executable sets per rank under mpirun), never above its cores.
final class ParallelThreadsTests: XCTestCase {
    func testThreadsFollowOMPNumThreadsWithinTheCores() {
        let saved = getenv("OMP_NUM_THREADS").map { String(cString: $0) }
        defer { if let saved { setenv("OMP_NUM_THREADS", saved, 1) } else { unsetenv("OMP_NUM_THREADS") } }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        unsetenv("OMP_NUM_THREADS")
        XCTAssertEqual(Parallel.threads, cores, "alone, without the variable: every core")
        setenv("OMP_NUM_THREADS", "1", 1)
        XCTAssertEqual(Parallel.threads, 1, "a rank's share of one core")
        setenv("OMP_NUM_THREADS", "\(cores + 7)", 1)
        XCTAssertEqual(Parallel.threads, cores, "never more than the cores")
        setenv("OMP_NUM_THREADS", "nonsense", 1)
        XCTAssertEqual(Parallel.threads, cores)
    }
}
