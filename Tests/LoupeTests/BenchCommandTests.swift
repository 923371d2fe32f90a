import Foundation
import XCTest

/// `loupe bench` prints one `NAME<TAB>VALUE UNIT` line per figure (WORKLOADS.md). Speed itself
/// is never asserted here: BENCHMARKS.md records it.
final class BenchCommandTests: XCTestCase {
    func testBenchPrintsWorkloadLinesAndRefusesUnknownNames() throws {
        let folder = try LoupeBinary.scratchFolder("bench")
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try LoupeBinary.run(["bench", "sgemm-1024", "decode-augment", "--seconds", "0.2"], in: folder)
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.map { $0.split(separator: "\t").first.map(String.init) ?? "" },
                       ["sgemm-1024", "decode-augment-jpeg224", "decode-augment-idx28", "decode-augment-jpeg1600-whole",
                        "decode-augment-jpeg1600"])
        for line in lines {
            let parts = line.split(separator: "\t")
            XCTAssertEqual(parts.count, 2, line)
            let valueUnit = parts[1].split(separator: " ")
            XCTAssertNotNil(Double(valueUnit[0]), line)
            XCTAssertGreaterThan(Double(valueUnit[0]) ?? 0, 0, line)
            XCTAssertTrue(["GFLOP/s", "img/s"].contains(String(valueUnit[1])), line)
        }
        // The engine's diagnostic: oneDNN's implementation of every convolution pass, never `ref:`.
        let impl = try LoupeBinary.run(["bench", "conv-impl"], in: folder)
        XCTAssertEqual(impl.status, 0, impl.stderr)
        let impls = impl.stdout.split(separator: "\n").map(String.init)
        XCTAssertGreaterThan(impls.count, 100, impl.stdout)
        for line in impls {
            XCTAssertTrue(line.hasPrefix("conv-impl "), line)
            XCTAssertFalse(line.split(separator: "\t").last!.hasPrefix("ref:"), line)
        }
        let bad = try LoupeBinary.run(["bench", "r20-trian"], in: folder)
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.stderr.contains("did you mean 'r20-train'"), bad.stderr)
    }
}
