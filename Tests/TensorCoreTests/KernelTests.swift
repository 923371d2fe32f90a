import XCTest
import TensorCore
import LoupeBase

/// The fast kernels against their plain references.
final class KernelTests: XCTestCase {
    func random(_ n: Int, _ rng: inout SeededGenerator) -> [Float] { (0..<n).map { _ in rng.nextNormal() } }

    func testGEMMMatchesNaiveForEveryTransposeAndSplit() {
        var rng = SeededGenerator(seed: 1)
        // Sizes below and above the threading threshold, tall and wide, odd splits.
        for (m, n, k) in [(3, 5, 7), (300, 41, 200), (41, 300, 200), (257, 129, 65)] {
            for ta in [Transpose.none, .transposed] {
                for tb in [Transpose.none, .transposed] {
                    let a = random(m * k, &rng), b = random(k * n, &rng), c0 = random(m * n, &rng)
                    let lda = ta == .none ? k : m, ldb = tb == .none ? n : k
                    var fast = c0, slow = c0
                    gemm(ta, tb, m: m, n: n, k: k, alpha: 0.5, a: a, lda: lda, b: b, ldb: ldb, beta: 1, c: &fast, ldc: n)
                    gemmNaive(ta, tb, m: m, n: n, k: k, alpha: 0.5, a: a, lda: lda, b: b, ldb: ldb, beta: 1, c: &slow, ldc: n)
                    let worst = zip(fast, slow).map { abs($0 - $1) / (1 + abs($1)) }.max()!
                    XCTAssertLessThan(worst, 1e-4, "gemm \(m)x\(n)x\(k) \(ta) \(tb)")
                }
            }
        }
    }

    /// A row's product is the same bits whatever rows come with it (where `gemm`'s may not be:
    /// OpenBLAS's AVX2 kernels, OPENBLAS_CORETYPE=Haswell as scripts/test's AVX2 pass sets), and
    /// both orientations agree with the naive product.
    func testRowwiseProductsDoNotDependOnTheRowsAround() {
        var rng = SeededGenerator(seed: 3)
        // (m, n): a head's 64 -> 10, a hidden layer's 512 -> 256 (above the threading threshold).
        for (m, n) in [(10, 64), (256, 512), (1, 3)] {
            for trans in [Transpose.none, .transposed] {
                let inputs = trans == .none ? n : m, outputs = trans == .none ? m : n
                let w = random(m * n, &rng), x = random(15 * inputs, &rng)
                var all = [Float](repeating: .nan, count: 15 * outputs)
                var front = [Float](repeating: .nan, count: 8 * outputs), back = [Float](repeating: .nan, count: 7 * outputs)
                gemvRows(trans, rows: 15, m: m, n: n, w: w, ldw: n, x: x, ldx: inputs, y: &all, ldy: outputs)
                gemvRows(trans, rows: 8, m: m, n: n, w: w, ldw: n, x: x, ldx: inputs, y: &front, ldy: outputs)
                x.withUnsafeBufferPointer { xp in
                    gemvRows(trans, rows: 7, m: m, n: n, w: w, ldw: n, x: xp.baseAddress! + 8 * inputs, ldx: inputs, y: &back, ldy: outputs)
                }
                XCTAssertEqual(all.map(\.bitPattern), (front + back).map(\.bitPattern), "\(m)x\(n) \(trans): rows of 15 against 8 + 7")
                var slow = [Float](repeating: 0, count: 15 * outputs)
                // y = x·Wᵀ (rows of x against W [m, n]) or x·W.
                gemmNaive(.none, trans == .none ? .transposed : .none, m: 15, n: outputs, k: inputs, a: x, lda: inputs,
                          b: w, ldb: n, c: &slow, ldc: outputs)
                let worst = zip(all, slow).map { abs($0 - $1) / (1 + abs($1)) }.max()!
                XCTAssertLessThan(worst, 1e-4, "\(m)x\(n) \(trans) against the naive product")
            }
        }
    }

    func testGEMMIsBitIdenticalAcrossCalls() {
        var rng = SeededGenerator(seed: 2)
        let (m, n, k) = (500, 300, 400)
        let a = random(m * k, &rng), b = random(k * n, &rng)
        var c1 = [Float](repeating: 0, count: m * n), c2 = c1
        gemm(.none, .none, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &c1, ldc: n)
        gemm(.none, .none, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &c2, ldc: n)
        XCTAssertTrue(c1 == c2)
    }

    /// Each thread starts on its own contiguous block of chunks (the rows it wrote in the loop
    /// before); one that finishes takes what is left of another's, so a core held up by something
    /// else on the host (here: a chunk that sleeps) does not hold the whole loop. Every chunk runs
    /// once.
    func testAThreadThatFinishesTakesTheRestOfAnothersBlock() throws {
        try XCTSkipIf(Parallel.pool != .openMP || Parallel.threads < 2, "one thread or libdispatch's pool")
        let count = 8 * Parallel.threads
        var runs = [Int](repeating: 0, count: count), by = [Int](repeating: -1, count: count)
        runs.withUnsafeMutableBufferPointer { r in
            by.withUnsafeMutableBufferPointer { b in
                let (r, b) = (r.baseAddress!, b.baseAddress!)
                Parallel.forChunks(count: count, chunkSize: 1) { c, _ in
                    if c == 0 { usleep(300_000) }
                    r[c] += 1
                    b[c] = Parallel.thread
                }
            }
        }
        XCTAssertEqual(runs, [Int](repeating: 1, count: count))
        XCTAssertEqual(by[count - 1], Parallel.threads - 1, "the last thread starts at its own block")
        // The sleeping chunk's thread: thread 0, or (when thread 0 starts late, as under a loaded
        // CI) another that had finished its own block first. Either way block 0 went on without it.
        let sleeper = by[0]
        XCTAssertTrue((1..<8).allSatisfy { by[$0] != sleeper },
                      "block 0 after its sleeping chunk (on thread \(sleeper)) ran on \(by[0..<8])")
    }

    func testParallelChunksAreFixedByProblemSize() {
        XCTAssertEqual(Parallel.chunkCount(count: 1000, chunkSize: 64), 16)
        var seen = [Int](repeating: 0, count: 1000)
        seen.withUnsafeMutableBufferPointer { p in
            let base = p.baseAddress!
            Parallel.forChunks(count: 1000, chunkSize: 64) { _, r in for i in r { base[i] += 1 } }
        }
        XCTAssertTrue(seen.allSatisfy { $0 == 1 })
    }
}
