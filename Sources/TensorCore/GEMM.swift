import CBLAS

// Shapes: C[M, N] = alpha * op(A)[M, K] * op(B)[K, N] + beta * C, all row-major.

/// Whether a GEMM operand is used as stored or transposed.
public enum Transpose: Sendable { case none, transposed }

/// Row-major single-precision GEMM through OpenBLAS, split across the cores by the engine.
///
/// OpenBLAS itself runs single-threaded (see `BLAS.configure`): its idle threads spin between
/// calls and starve the engine's own parallel loops. Instead the larger of M and N is cut into
/// one block per core and each block is one `cblas_sgemm`; every output element is still a
/// single full-length dot product. The split depends only on the sizes and the core count, so
/// reruns agree bit for bit; another split may not (OpenBLAS's AVX2 kernels sum the rows at a
/// block's edge in another order; `gemvRows` where a row must not depend on the rows around it).
/// Call only from the engine's own thread, never inside `Parallel.forChunks`.
public func gemm(_ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
                 alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                 b: UnsafePointer<Float>, ldb: Int,
                 beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
    BLAS.configure()
    let parts = Parallel.cores
    // Small products are not worth a thread hand-off.
    guard parts > 1, Double(m) * Double(n) * Double(k) >= 2_000_000, max(m, n) >= 2 * parts else {
        gemmSingle(transA, transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        return
    }
    if m >= n {
        let rows = (m + parts - 1) / parts
        Parallel.forChunks(count: m, chunkSize: rows) { _, r in
            // Rows r of op(A): A[r, :] when not transposed, A[:, r] (columns) when transposed.
            let aBlock = transA == .none ? a + r.lowerBound * lda : a + r.lowerBound
            gemmSingle(transA, transB, m: r.count, n: n, k: k, alpha: alpha, a: aBlock, lda: lda, b: b, ldb: ldb,
                       beta: beta, c: c + r.lowerBound * ldc, ldc: ldc)
        }
    } else {
        let cols = (n + parts - 1) / parts
        Parallel.forChunks(count: n, chunkSize: cols) { _, r in
            let bBlock = transB == .none ? b + r.lowerBound : b + r.lowerBound * ldb
            gemmSingle(transA, transB, m: m, n: r.count, k: k, alpha: alpha, a: a, lda: lda, b: bBlock, ldb: ldb,
                       beta: beta, c: c + r.lowerBound, ldc: ldc)
        }
    }
}

/// One `cblas_sgemm` call on the calling thread.
public func gemmSingle(_ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
                 alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                 b: UnsafePointer<Float>, ldb: Int,
                 beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
    guard m > 0, n > 0 else { return }
    guard k > 0 else {
        // BLAS leaves C untouched when k == 0 only if beta == 1; make the beta scaling explicit.
        for i in 0..<m { for j in 0..<n { c[i * ldc + j] *= beta } }
        return
    }
    cblas_sgemm(CblasRowMajor,
                transA == .none ? CblasNoTrans : CblasTrans,
                transB == .none ? CblasNoTrans : CblasTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// For each of `rows` rows r: y_r = W·x_r (`.none`, W [m, n], x_r of n, y_r of m) or Wᵀ·x_r
/// (`.transposed`, x_r of m, y_r of n); row r of x at x + r·ldx, of y at y + r·ldy. One
/// `cblas_sgemv` per row, the rows split across the cores.
///
/// Unlike `gemm`, a row's result is the same bits whatever rows come with it: OpenBLAS's AVX2
/// sgemm kernels (Haswell, Zen) sum the rows at the edge of a block in another order than the
/// rest, so a row of a 15-row product can differ in the last bit from the same row of an 8-row
/// one. With this, a model's output for an image does not depend on its batch, and ranks of
/// data-parallel training compute their rows exactly as one process does.
/// Call only from the engine's own thread, never inside `Parallel.forChunks`.
public func gemvRows(_ trans: Transpose, rows: Int, m: Int, n: Int, w: UnsafePointer<Float>, ldw: Int,
                     x: UnsafePointer<Float>, ldx: Int, y: UnsafeMutablePointer<Float>, ldy: Int) {
    BLAS.configure()
    guard rows > 0 else { return }
    let outputs = trans == .none ? m : n
    guard m > 0, n > 0 else {
        for r in 0..<rows { (y + r * ldy).update(repeating: 0, count: outputs) }
        return
    }
    let one = { (r: Int) in
        cblas_sgemv(CblasRowMajor, trans == .none ? CblasNoTrans : CblasTrans, Int32(m), Int32(n), 1, w, Int32(ldw),
                    x + r * ldx, 1, 0, y + r * ldy, 1)
    }
    // Small products are not worth a thread hand-off.
    guard Parallel.cores > 1, rows >= 2, Double(rows) * Double(m) * Double(n) >= 2_000_000 else {
        for r in 0..<rows { one(r) }
        return
    }
    Parallel.forChunks(count: rows, chunkSize: (rows + Parallel.cores - 1) / Parallel.cores) { _, span in
        for r in span { one(r) }
    }
}

/// The plain triple loop that `gemm` must agree with; the reference for tests.
public func gemmNaive(_ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
                      alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                      b: UnsafePointer<Float>, ldb: Int,
                      beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
    for i in 0..<m {
        for j in 0..<n {
            var sum: Double = 0
            for p in 0..<k {
                let av = transA == .none ? a[i * lda + p] : a[p * lda + i]
                let bv = transB == .none ? b[p * ldb + j] : b[j * ldb + p]
                sum += Double(av) * Double(bv)
            }
            c[i * ldc + j] = alpha * Float(sum) + (beta == 0 ? 0 : beta * c[i * ldc + j])
        }
    }
}

/// OpenBLAS threading control.
public enum BLAS {
    /// Runs OpenBLAS single-threaded: the engine splits each GEMM across the cores itself.
    /// Idempotent and cheap: the first call does the work.
    @inline(__always) public static func configure() { _ = singleThreaded }
    private static let singleThreaded: Void = { openblas_set_num_threads(1) }()
    /// Sets the number of threads OpenBLAS uses for every GEMM.
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }
    public static var threads: Int { Int(openblas_get_num_threads()) }
    /// The kernel family OpenBLAS picked for this CPU (e.g. "Haswell", "SkylakeX").
    public static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }
}
