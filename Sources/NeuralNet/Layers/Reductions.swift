import TensorCore

// Shapes: a matrix [R, C] of R rows (e.g. N*H*W pixels) and C columns (channels).
// Column reductions are split into fixed chunks of at most 64 rows whatever the core count; each
// chunk accumulates in Float (short, vectorisable runs), chunks are combined in order in Double,
// so the result is bit-identical on every run. With `segment` (the rows of one image, H*W) no
// chunk crosses an image: an image's partial sums are then the same whichever images come with
// it, so a rank holding some images of a batch sums exactly what one process does for them, and
// only the Double combination differs (data-parallel training agrees with one process to Double
// rounding, not Float).

let rowsPerChunk = 64

/// The chunks of `rows` rows cut at every `segment` rows (an image) and every 64 rows within.
struct RowChunks {
    let rows: Int, segment: Int, perSegment: Int
    init(rows: Int, segment: Int? = nil) {
        self.rows = rows
        self.segment = max(1, min(rows, segment ?? rows))
        perSegment = (self.segment + rowsPerChunk - 1) / rowsPerChunk
        precondition(rows % self.segment == 0, "\(rows) rows are not whole segments of \(self.segment)")
    }
    var count: Int { rows == 0 ? 0 : rows / segment * perSegment }
    /// The rows of chunk k.
    @inline(__always) func range(_ k: Int) -> Range<Int> {
        let start = (k / perSegment) * segment, lo = start + (k % perSegment) * rowsPerChunk
        return lo..<min(start + segment, lo + rowsPerChunk)
    }
}

/// Per-column sums over all rows, deterministic: `f(rows, acc)` adds the contribution of a range
/// of rows (at most 64, within one segment) into the chunk's accumulator `acc` [C].
@inline(__always)
func columnReduce(rows: Int, cols: Int, segment: Int? = nil, _ f: (Range<Int>, UnsafeMutablePointer<Float>) -> Void) -> [Double] {
    let split = RowChunks(rows: rows, segment: segment), chunks = split.count
    guard chunks > 0 else { return [Double](repeating: 0, count: cols) }
    let partial = UnsafeMutablePointer<Float>.allocate(capacity: chunks * cols)
    defer { partial.deallocate() }
    partial.initialize(repeating: 0, count: chunks * cols)
    // Group chunks into per-thread tasks to keep dispatch overhead low; the chunk boundaries,
    // and so the arithmetic, do not depend on the grouping.
    let group = max(1, chunks / (Parallel.cores * 4))
    Parallel.forChunks(count: chunks, chunkSize: group) { _, chunkRange in
        for chunk in chunkRange { f(split.range(chunk), partial + chunk * cols) }
    }
    var total = [Double](repeating: 0, count: cols)
    for chunk in 0..<chunks {
        let acc = partial + chunk * cols
        for c in 0..<cols { total[c] += Double(acc[c]) }
    }
    return total
}

/// Runs `body(range)` over ranges covering `0..<count` in parallel (each index writes only its
/// own outputs). The body loops over its range itself so that the loop compiles to tight code.
@inline(__always)
func forRanges(_ count: Int, _ body: (Range<Int>) -> Void) {
    Parallel.forChunks(count: count, chunkSize: max(4096, count / (Parallel.cores * 4) + 1)) { _, range in body(range) }
}

/// Like `forRanges` for row-wise work where each row is already a loop over channels.
@inline(__always)
func forRowRanges(_ rows: Int, _ body: (Range<Int>) -> Void) {
    Parallel.forChunks(count: rows, chunkSize: max(64, rows / (Parallel.cores * 4) + 1)) { _, range in body(range) }
}

/// a[i] += mask[i] > 0 ? d[i] : 0 (a ReLU's gradient added to another), sixteen lanes at a time.
func maskedAdd(_ d: UnsafePointer<Float>, where m: UnsafePointer<Float>, into a: UnsafeMutablePointer<Float>, count: Int) {
    forRanges(count) { span in
        var i = span.lowerBound
        let zero = SIMD16<Float>(repeating: 0)
        while i + 16 <= span.upperBound {
            let dv = UnsafeRawPointer(d + i).loadUnaligned(as: SIMD16<Float>.self)
            let mv = UnsafeRawPointer(m + i).loadUnaligned(as: SIMD16<Float>.self)
            let av = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(a + i).storeBytes(of: av + zero.replacing(with: dv, where: mv .> 0), as: SIMD16<Float>.self)
            i += 16
        }
        while i < span.upperBound { a[i] += m[i] > 0 ? d[i] : 0; i += 1 }
    }
}
