import TensorCore

// Shapes: a matrix [R, C] of R rows (e.g. N*H*W pixels) and C columns (channels).
// Column reductions are split into fixed 64-row chunks whatever the core count; each chunk
// accumulates in Float (short, vectorisable runs), chunks are combined in order in Double, so
// the result is bit-identical on every run.

private let rowsPerChunk = 64

/// Per-column sums of f(row, column) over all rows, deterministic.
@inline(__always)
func columnReduce(rows: Int, cols: Int, _ f: (Int, UnsafeMutablePointer<Float>) -> Void) -> [Double] {
    let chunks = Parallel.chunkCount(count: rows, chunkSize: rowsPerChunk)
    guard chunks > 0 else { return [Double](repeating: 0, count: cols) }
    let partial = UnsafeMutablePointer<Float>.allocate(capacity: chunks * cols)
    defer { partial.deallocate() }
    partial.initialize(repeating: 0, count: chunks * cols)
    // Group chunks into per-thread tasks to keep dispatch overhead low; the chunk boundaries,
    // and so the arithmetic, do not depend on the grouping.
    let group = max(1, chunks / (Parallel.cores * 4))
    Parallel.forChunks(count: chunks, chunkSize: group) { _, chunkRange in
        for chunk in chunkRange {
            let acc = partial + chunk * cols
            for r in (chunk * rowsPerChunk)..<min(rows, (chunk + 1) * rowsPerChunk) { f(r, acc) }
        }
    }
    var total = [Double](repeating: 0, count: cols)
    for chunk in 0..<chunks {
        let acc = partial + chunk * cols
        for c in 0..<cols { total[c] += Double(acc[c]) }
    }
    return total
}

/// Runs `body(row)` over all rows in parallel (each row writes only its own outputs).
@inline(__always)
func forEachRow(_ rows: Int, _ body: (Int) -> Void) {
    Parallel.forChunks(count: rows, chunkSize: max(64, rows / (Parallel.cores * 4))) { _, range in
        for r in range { body(r) }
    }
}
