import TensorCore

// Shapes: rows of C channels (an NHWC tensor seen as [M, C]); per-channel vectors of length C.
// The loops over rows of BatchNorm, written once with SIMD8 over channels (C a multiple of 8,
// every ResNet width) and once scalar (any C). Both evaluate the same expressions in the same
// order, and reductions keep `columnReduce`'s fixed chunks, so results do not depend on the path.

@inline(__always) private func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}
@inline(__always) private func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}
/// `max(v, 0)` lane by lane, with Swift.max's answer for -0 and NaN.
@inline(__always) private func relu8(_ v: SIMD8<Float>) -> SIMD8<Float> { v.replacing(with: 0, where: v .<= 0) }
/// `mask > 0 ? v : 0` lane by lane.
@inline(__always) private func masked8(_ v: SIMD8<Float>, _ mask: SIMD8<Float>) -> SIMD8<Float> {
    SIMD8<Float>(repeating: 0).replacing(with: v, where: mask .> 0)
}

@inline(__always) private func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}
@inline(__always) private func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

/// `affine` over elements lo..<hi (whole rows of c channels, c a multiple of 16): the same
/// expressions in the same order as the 8-lane and scalar loops, so the results are identical.
@inline(__always) private func affine16(_ x: UnsafePointer<Float>, _ sc: UnsafePointer<Float>, _ sh: UnsafePointer<Float>,
                                        _ residual: UnsafePointer<Float>?, _ relu: Bool, _ lo: Int, _ hi: Int, _ c: Int,
                                        _ y: UnsafeMutablePointer<Float>) {
    var i = lo, j = 0
    while i < hi {
        var v = load16(x + i) * load16(sc + j) + load16(sh + j)
        if let residual { v += load16(residual + i) }
        store16(relu ? v.replacing(with: 0, where: v .<= 0) : v, y + i)
        i += 16; j += 16
        if j == c { j = 0 }
    }
}

enum NormKernels {
    /// Per-channel mean and biased variance in one read of the data: each fixed chunk of at most
    /// 64 rows (within one image of `segment` rows, `RowChunks`) takes its Σx and then
    /// Σ(x − chunk mean)² while it is still in L1 (Float), and the chunks are combined in order in
    /// Double (Chan, Golub and LeVeque's pairwise update: M2 = Σ M2ₖ + Σ nₖ·(meanₖ − mean)²). The
    /// mean is `columnSums`'s, bit for bit; the variance agrees with `statisticsTwoPass` to
    /// rounding, and both are the same on every run.
    ///
    /// `sumOverRanks` (data-parallel training) sums a Double vector over the ranks in place: it
    /// is called with Σx and the row count, then with the M2 terms around the global mean, so
    /// that every rank gets the whole batch's statistics by the very arithmetic one process does
    /// on it, grouped differently only in Double. It is called on every rank, rows or none.
    static func statistics(_ x: UnsafePointer<Float>, rows: Int, channels c: Int, segment: Int? = nil,
                           sumOverRanks: ((inout [Double]) -> Void)? = nil) -> (mean: [Float], variance: [Double], rows: Int) {
        let split = RowChunks(rows: rows, segment: segment), chunks = split.count
        // Per chunk: Σx in [0, c), Σ(x − chunk mean)² in [c, 2c).
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: max(1, chunks * 2 * c))
        defer { partial.deallocate() }
        partial.initialize(repeating: 0, count: chunks * 2 * c)
        let vector = c % 8 == 0
        let group = max(1, chunks / (Parallel.cores * 4))
        Parallel.forChunks(count: chunks, chunkSize: group) { _, chunkRange in
            for chunk in chunkRange {
                let span = split.range(chunk), lo = span.lowerBound, hi = span.upperBound
                let sum = partial + chunk * 2 * c, m2 = sum + c
                let inv = 1 / Float(hi - lo)
                if vector {
                    for r in lo..<hi {
                        let row = x + r * c
                        for j in Swift.stride(from: 0, to: c, by: 8) { store8(load8(sum + j) + load8(row + j), sum + j) }
                    }
                    for r in lo..<hi {
                        let row = x + r * c
                        for j in Swift.stride(from: 0, to: c, by: 8) {
                            let d = load8(row + j) - load8(sum + j) * inv
                            store8(load8(m2 + j) + d * d, m2 + j)
                        }
                    }
                } else {
                    for r in lo..<hi { let row = x + r * c; for j in 0..<c { sum[j] += row[j] } }
                    for r in lo..<hi { let row = x + r * c; for j in 0..<c { let d = row[j] - sum[j] * inv; m2[j] += d * d } }
                }
            }
        }
        var total = [Double](repeating: 0, count: c + 1)
        for chunk in 0..<chunks {
            let sum = partial + chunk * 2 * c
            for j in 0..<c { total[j] += Double(sum[j]) }
        }
        total[c] = Double(rows)
        sumOverRanks?(&total)
        let n = total[c]
        guard n > 0 else { return ([Float](repeating: 0, count: c), [Double](repeating: 0, count: c), 0) }
        let meanD = total[0..<c].map { $0 / n }
        var m2 = [Double](repeating: 0, count: c)
        for chunk in 0..<chunks {
            let sum = partial + chunk * 2 * c, dev = sum + c
            let nk = Double(split.range(chunk).count)
            for j in 0..<c {
                let delta = Double(sum[j]) / nk - meanD[j]
                m2[j] += Double(dev[j]) + nk * delta * delta
            }
        }
        sumOverRanks?(&m2)
        return (meanD.map { Float($0) }, m2.map { $0 / n }, Int(n))
    }

    /// The reference for `statistics`: Σx, then Σ(x − mean)² around the rounded mean (two
    /// reads of the data).
    static func statisticsTwoPass(_ x: UnsafePointer<Float>, rows: Int, channels c: Int, segment: Int? = nil) -> (mean: [Float], variance: [Double]) {
        let mean = columnSums(x, rows: rows, channels: c, segment: segment).map { Float($0 / Double(rows)) }
        return (mean, squaredDeviations(x, mean: mean, rows: rows, channels: c, segment: segment).map { $0 / Double(rows) })
    }

    /// Per-channel Σx over the rows, in Double (the first pass of `statistics`; data-parallel
    /// training sums it over the ranks before dividing).
    static func columnSums(_ x: UnsafePointer<Float>, rows: Int, channels c: Int, segment: Int? = nil) -> [Double] {
        let vector = c % 8 == 0
        return columnReduce(rows: rows, cols: c, segment: segment) { span, acc in for r in span {
            let row = x + r * c
            if vector { for j in Swift.stride(from: 0, to: c, by: 8) { store8(load8(acc + j) + load8(row + j), acc + j) } }
            else { for j in 0..<c { acc[j] += row[j] } }
        } }
    }

    /// Per-channel Σ(x − mean)² over the rows, in Double (the second pass of `statistics`).
    static func squaredDeviations(_ x: UnsafePointer<Float>, mean: [Float], rows: Int, channels c: Int, segment: Int? = nil) -> [Double] {
        let vector = c % 8 == 0
        return mean.withUnsafeBufferPointer { mb in
            let mp = mb.baseAddress!
            return columnReduce(rows: rows, cols: c, segment: segment) { span, acc in for r in span {
                let row = x + r * c
                if vector {
                    for j in Swift.stride(from: 0, to: c, by: 8) { let d = load8(row + j) - load8(mp + j); store8(load8(acc + j) + d * d, acc + j) }
                } else {
                    for j in 0..<c { let d = row[j] - mp[j]; acc[j] += d * d }
                }
            } }
        }
    }

    /// y = relu?(x·scale + shift + residual?).
    static func affine(_ x: UnsafePointer<Float>, scale sc: UnsafePointer<Float>, shift sh: UnsafePointer<Float>,
                       residual: UnsafePointer<Float>?, relu: Bool, rows: Int, channels c: Int, into y: UnsafeMutablePointer<Float>) {
        forRowRanges(rows) { span in affineRows(x, scale: sc, shift: sh, residual: residual, relu: relu, span, channels: c, into: y) }
    }

    /// `affine` over the rows of `span` only (on the calling thread).
    @inline(__always)
    static func affineRows(_ x: UnsafePointer<Float>, scale sc: UnsafePointer<Float>, shift sh: UnsafePointer<Float>,
                           residual: UnsafePointer<Float>?, relu: Bool, _ span: Range<Int>, channels c: Int,
                           into y: UnsafeMutablePointer<Float>) {
        if c % 16 == 0 {
            // The common case (every ResNet width): sixteen channels at a time over the flat
            // range of the rows, with the loop specialised for the residual and the ReLU.
            let lo = span.lowerBound * c, hi = span.upperBound * c
            switch (residual, relu) {
            case (nil, false): affine16(x, sc, sh, nil, false, lo, hi, c, y)
            case (nil, true): affine16(x, sc, sh, nil, true, lo, hi, c, y)
            case (let r?, false): affine16(x, sc, sh, r, false, lo, hi, c, y)
            case (let r?, true): affine16(x, sc, sh, r, true, lo, hi, c, y)
            }
            return
        }
        let vector = c % 8 == 0
        for r in span {
            let xi = x + r * c, yi = y + r * c, ri = residual.map { $0 + r * c }
            if vector {
                for j in Swift.stride(from: 0, to: c, by: 8) {
                    var v = load8(xi + j) * load8(sc + j) + load8(sh + j)
                    if let ri { v += load8(ri + j) }
                    store8(relu ? relu8(v) : v, yi + j)
                }
            } else {
                for j in 0..<c {
                    var v = xi[j] * sc[j] + sh[j]
                    if let ri { v += ri[j] }
                    yi[j] = relu ? max(v, 0) : v
                }
            }
        }
    }

    /// S1 = Σ dy' and S2 = Σ dy'·(x − mean)·invstd per channel, dy' = dy masked by `mask > 0`
    /// when a mask is given; one pass over the data. `maskInPlace` (with a mask): dy ← dy' as well.
    static func gradientSums(_ dy: UnsafeMutablePointer<Float>, mask: UnsafePointer<Float>?, maskInPlace: Bool = false, x: UnsafePointer<Float>,
                             mean mp: UnsafePointer<Float>, invstd ip: UnsafePointer<Float>,
                             rows: Int, channels c: Int, segment: Int? = nil) -> (s1: [Double], s2: [Double]) {
        let vector = c % 8 == 0
        let both = columnReduce(rows: rows, cols: 2 * c, segment: segment) { span, acc in for r in span {
            let d = dy + r * c, xi = x + r * c, mr = mask.map { $0 + r * c }, acc2 = acc + c
            if vector {
                for j in Swift.stride(from: 0, to: c, by: 8) {
                    var g = load8(d + j)
                    if let mr { g = masked8(g, load8(mr + j)); if maskInPlace { store8(g, d + j) } }
                    store8(load8(acc + j) + g, acc + j)
                    store8(load8(acc2 + j) + g * (load8(xi + j) - load8(mp + j)) * load8(ip + j), acc2 + j)
                }
            } else {
                for j in 0..<c {
                    var g = d[j]
                    if let mr { g = mr[j] > 0 ? g : 0; if maskInPlace { d[j] = g } }
                    acc[j] += g
                    acc2[j] += g * (xi[j] - mp[j]) * ip[j]
                }
            }
        } }
        return (Array(both[0..<c]), Array(both[c...]))
    }

    /// dx = a·(dy' − b − (x − mean)·invstd·k), the training-mode input gradient.
    /// `dx` may be `dy` or `x` (each element is read before it is written). `alongside(span)`
    /// runs first on each span of rows in the same parallel region (unrelated row-wise work of
    /// the same row count, saving a region's start and barrier).
    static func trainingInputGradient(_ dy: UnsafePointer<Float>, mask: UnsafePointer<Float>?, x: UnsafePointer<Float>,
                                      mean mp: UnsafePointer<Float>, invstd ip: UnsafePointer<Float>,
                                      a ap: UnsafePointer<Float>, b bp: UnsafePointer<Float>, k kp: UnsafePointer<Float>,
                                      rows: Int, channels c: Int, into dx: UnsafeMutablePointer<Float>,
                                      alongside: ((Range<Int>) -> Void)? = nil) {
        let vector = c % 8 == 0
        forRowRanges(rows) { span in
          alongside?(span)
          for r in span {
            let d = dy + r * c, xi = x + r * c, o = dx + r * c, mr = mask.map { $0 + r * c }
            if vector {
                for j in Swift.stride(from: 0, to: c, by: 8) {
                    var g = load8(d + j)
                    if let mr { g = masked8(g, load8(mr + j)) }
                    let xhat = (load8(xi + j) - load8(mp + j)) * load8(ip + j)
                    store8(load8(ap + j) * (g - load8(bp + j) - xhat * load8(kp + j)), o + j)
                }
            } else {
                for j in 0..<c {
                    var g = d[j]
                    if let mr { g = mr[j] > 0 ? g : 0 }
                    let xhat = (xi[j] - mp[j]) * ip[j]
                    o[j] = ap[j] * (g - bp[j] - xhat * kp[j])
                }
            }
          }
        }
    }

    /// dx = dy'·k, the input gradient with fixed statistics.
    static func scaledGradient(_ dy: UnsafePointer<Float>, mask: UnsafePointer<Float>?, k kp: UnsafePointer<Float>,
                               rows: Int, channels c: Int, into dx: UnsafeMutablePointer<Float>) {
        let vector = c % 8 == 0
        forRowRanges(rows) { span in for r in span {
            let d = dy + r * c, o = dx + r * c, mr = mask.map { $0 + r * c }
            if vector {
                for j in Swift.stride(from: 0, to: c, by: 8) {
                    var g = load8(d + j)
                    if let mr { g = masked8(g, load8(mr + j)) }
                    store8(g * load8(kp + j), o + j)
                }
            } else {
                for j in 0..<c {
                    var g = d[j]
                    if let mr { g = mr[j] > 0 ? g : 0 }
                    o[j] = g * kp[j]
                }
            }
        } }
    }
}
