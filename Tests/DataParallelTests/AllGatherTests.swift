import XCTest
import LoupeMPI

/// `allGather` past 2 GiB (MPI's counts and displacements are ints): rank 0 gives 2 GiB + 4 KiB,
/// the others 4 KiB, and every rank gets every rank's bytes whole and in rank order. (Predictions
/// with 1,000 class probabilities from a few hundred thousand files come to that.) About 6.5 GB
/// at rank 0 and 4.3 GB at the others while it runs.
final class AllGatherTests: XCTestCase {
    func testAGatherOfMoreThanTwoGiBArrivesWhole() throws {
        guard MPICommunicator.isLaunchedByMPI else {
            return runUnderMPI("DataParallelTests.AllGatherTests/testAGatherOfMoreThanTwoGiBArrivesWhole", ranks: 2, echo: "gathered")
        }
        let group = try XCTUnwrap(MPICommunicator.start(), "MPI did not start")
        defer { group.finish() }
        func count(_ r: Int) -> Int { r == 0 ? (1 << 31) + 4096 : 4096 }
        // Rank r's byte i: (i * 7 + r * 13) mod 251, so that a part in the wrong place or shifted shows.
        func byte(_ i: Int, _ r: Int) -> UInt8 { UInt8((i &* 7 &+ r &* 13) % 251) }
        let n = count(group.rank)
        let mine = [UInt8](unsafeUninitializedCapacity: n) { b, initialized in
            for i in 0..<n { b[i] = byte(i, group.rank) }
            initialized = n
        }
        let parts = group.allGather(mine)
        XCTAssertEqual(parts.count, group.size)
        XCTAssertGreaterThan(parts.reduce(0) { $0 + $1.count }, Int(Int32.max))
        for (r, part) in parts.enumerated() {
            XCTAssertEqual(part.count, count(r), "rank \(r)'s part")
            guard part.count == count(r) else { continue }
            var bad = -1
            part.withUnsafeBufferPointer { p in
                for i in stride(from: 0, to: p.count, by: 4093) where p[i] != byte(i, r) { bad = i; break }
                if bad < 0, p[p.count - 1] != byte(p.count - 1, r) { bad = p.count - 1 }
            }
            XCTAssertEqual(bad, -1, "rank \(r)'s part differs at byte \(bad)")
        }
        print("rank \(group.rank): gathered \(parts.map(\.count)) bytes")
    }
}
