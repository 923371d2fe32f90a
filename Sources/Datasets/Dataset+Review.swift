import Dispatch
import Imaging
import TensorCore
import LoupeBase

extension Dataset {
    /// Reviews the dataset: counts, imbalance, sizes, unreadable files, duplicates within and
    /// across subsets, a montage choice and a mean image per class.
    ///
    /// Every image is decoded once (through the store, so a cached dataset costs nothing extra).
    /// With a communicator each rank decodes and hashes its share of the files, and every rank
    /// receives every file's results (the review is then made from all of them, as alone).
    public func review(_ options: ReviewOptions = ReviewOptions(), communicator: Communicator? = nil) -> DatasetReview {
        let n = samples.count
        let colour = samples.contains { ($0.shape?.channels ?? 3) >= 3 }
        let meanChannels = colour ? 3 : 1
        let (mw, mh) = meanImageSize(maxSide: options.meanImageSide)
        let meanPrep = Preprocessing(width: mw, height: mh, channels: meanChannels)

        // Per-sample results, each slot written by one thread.
        let shapes = ResultSlots<ImageShape>(count: n)
        let content = ResultSlots<UInt64>(count: n)
        let dhash = ResultSlots<UInt64>(count: n)
        let thumbs = ResultSlots<[Int16]>(count: n)
        let lanes = max(1, min(options.workers, n))
        let sums = ResultSlots<[Double]>(count: lanes * classes.count)
        let communicator = communicator.flatMap { $0.size > 1 ? $0 : nil }
        let mine = Shard(communicator).range(n)
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            var acc = [[Double]](repeating: [], count: classes.count)
            for i in stride(from: mine.lowerBound + lane, to: mine.upperBound, by: lanes) {
                // The decode's share of the budget is held until the picture is reduced to hashes and sums.
                _ = try? self.withImage(at: i) { image in
                    shapes.set(i, ImageShape(width: image.width, height: image.height, channels: image.channels))
                    content.set(i, contentHash(image))
                    dhash.set(i, differenceHash(image))
                    thumbs.set(i, comparisonThumbnail(image))
                    if let label = samples[i].label {
                        let f = meanPrep.render(image)
                        if acc[label].isEmpty { acc[label] = [Double](repeating: 0, count: f.values.count + 1) }
                        for k in f.values.indices { acc[label][k] += Double(f.values[k]) }
                        acc[label][f.values.count] += 1
                    }
                }
            }
            for c in 0..<classes.count where !acc[c].isEmpty { sums.set(lane * classes.count + c, acc[c]) }
        }

        var totals = [[Double]](repeating: [Double](repeating: 0, count: mw * mh * meanChannels + 1), count: classes.count)
        for c in 0..<classes.count {
            for lane in 0..<lanes { if let a = sums.get(lane * classes.count + c) { for k in a.indices { totals[c][k] += a[k] } } }
        }
        var failures = store.failures
        if let communicator {
            var flat = totals.flatMap { $0 }
            flat.withUnsafeMutableBufferPointer { communicator.allReduceSum($0.baseAddress!, count: $0.count) }
            let width = mw * mh * meanChannels + 1
            totals = (0..<classes.count).map { Array(flat[($0 * width)..<(($0 + 1) * width)]) }
            ReviewRecords.exchange(mine, shapes: shapes, content: content, dhash: dhash, thumbs: thumbs, communicator: communicator)
            failures = communicator.allGather(failures)
        }
        var means = [Image?](repeating: nil, count: classes.count)
        for c in 0..<classes.count {
            let total = totals[c]
            let count = total[mw * mh * meanChannels]
            guard count > 0 else { continue }
            means[c] = Image(width: mw, height: mh, channels: meanChannels,
                             pixels: total.dropLast().map { UInt8(max(0, min(255, ($0 / count * 255).rounded()))) })
        }

        let member = membership
        let dup = findDuplicates(contentHashes: (0..<n).map(content.get), differenceHashes: (0..<n).map(dhash.get),
                                 threshold: options.nearThreshold, membership: member) { a, b in
            guard let ta = thumbs.get(a), let tb = thumbs.get(b) else { return false }
            return thumbnailDifference(ta, tb) <= options.nearPixelDifference
        }
        let leakage = (dup.exact + dup.near).filter { $0.subsets.count > 1 }
        var unreadable = self.unreadable
        let known = Set(unreadable.map(\.path))
        let names = Set(samples.map(\.name))
        unreadable += failures.filter { !known.contains($0.path) && names.contains($0.path) }

        var subsetCounts = [Subset: [Int]]()
        for s in Subset.allCases {
            guard let idx = indices(of: s) else { continue }
            var c = [Int](repeating: 0, count: classes.count)
            for i in idx { if let l = samples[i].label { c[l] += 1 } }
            subsetCounts[s] = c
        }
        let known2 = (0..<n).compactMap(shapes.get)
        var warnings = imbalanceWarnings()
        if !unreadable.isEmpty {
            warnings.append(ReviewWarning(kind: .unreadable, className: nil,
                                          message: "\(unreadable.count) file(s) could not be read and are left out"))
        }
        if !dup.exact.isEmpty {
            let extra = dup.exact.reduce(0) { $0 + $1.samples.count - 1 }
            warnings.append(ReviewWarning(kind: .exactDuplicates, className: nil,
                                          message: "\(dup.exact.count) group(s) of identical images (\(extra) extra copies)"))
        }
        if !dup.near.isEmpty {
            warnings.append(ReviewWarning(kind: .nearDuplicates, className: nil,
                                          message: "\(dup.near.count) group(s) of near-identical images"))
        }
        if !leakage.isEmpty {
            warnings.append(ReviewWarning(kind: .leakage, className: nil,
                                          message: "\(leakage.count) picture(s) appear in more than one subset: evaluation would reward memorising; remove the copies"))
        }
        return DatasetReview(classes: classes, counts: counts, subsetCounts: subsetCounts, warnings: warnings,
                             sizes: summarizeSizes(known2), unreadable: unreadable, excludedClasses: excludedClasses,
                             exactDuplicates: dup.exact, nearDuplicates: dup.near, leakage: leakage,
                             montage: montageChoice(perClass: options.montagePerClass, seed: options.seed), meanImages: means)
    }

    /// Imbalance warnings: under half the largest class, under 10 images, under ~1000 for production.
    public func imbalanceWarnings() -> [ReviewWarning] {
        let c = counts
        guard let largest = c.max(), largest > 0 else { return [] }
        let big = classes[c.firstIndex(of: largest)!]
        var w = [ReviewWarning]()
        for (k, name) in classes.enumerated() {
            if c[k] < 10 {
                w.append(ReviewWarning(kind: .fewerThanTen, className: name,
                                       message: "class '\(name)' has only \(c[k]) images: too few to learn or to judge; collect more"))
            }
            if 2 * c[k] < largest {
                w.append(ReviewWarning(kind: .underHalfOfLargest, className: name,
                                       message: "class '\(name)' has \(c[k]) images, under half of '\(big)' (\(largest))"))
            }
        }
        let small = c.filter { $0 < 1000 }.count
        if small > 0 {
            w.append(ReviewWarning(kind: .belowProduction, className: nil,
                                   message: "\(small) of \(classes.count) classes have fewer than ~1000 images: fine for a prototype; production models usually want ~1000 per class"))
        }
        return w
    }

    /// Per class, up to `perClass` seeded random sample indices.
    public func montageChoice(perClass: Int, seed: UInt64) -> [[Int]] {
        var members = [[Int]](repeating: [], count: classes.count)
        for (i, s) in samples.enumerated() { if let l = s.label { members[l].append(i) } }
        var rng = SeededGenerator(seed: seed, stream: 0x307A_6E)
        return members.map { m in rng.permutation(m.count).prefix(perClass).map { m[$0] } }
    }

    private func meanImageSize(maxSide: Int) -> (Int, Int) {
        if let s = typicalShape, max(s.width, s.height) <= maxSide { return (s.width, s.height) }
        return (maxSide, maxSide)
    }
}

/// A 16×16 grey thumbnail with its mean removed (so a brightened copy still matches).
func comparisonThumbnail(_ image: Image) -> [Int16] {
    let f = resample(image, map: .resize(from: image.width, image.height, to: 16, 16), width: 16, height: 16).grey()
    let mean = f.values.reduce(0, +) / 256
    return f.values.map { Int16(((($0 - mean) * 255)).rounded()) }
}

/// Mean absolute difference of two thumbnails, on the 0…255 scale.
func thumbnailDifference(_ a: [Int16], _ b: [Int16]) -> Double {
    var sum = 0
    for i in 0..<256 { sum += abs(Int(a[i]) - Int(b[i])) }
    return Double(sum) / 256
}

/// Summarises sizes, aspect ratios and channel counts.
func summarizeSizes(_ shapes: [ImageShape]) -> SizeSummary {
    var tally = [ImageShape: Int]()
    var sizes = [[Int]: Int]()
    var channels = [Int: Int]()
    for s in shapes {
        tally[s, default: 0] += 1
        sizes[[s.width, s.height], default: 0] += 1
        channels[s.channels, default: 0] += 1
    }
    let common = sizes.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.lexicographicallyPrecedes($1.key) }
        .prefix(10).map { (width: $0.key[0], height: $0.key[1], count: $0.value) }
    return SizeSummary(width: Spread(shapes.map { Double($0.width) }), height: Spread(shapes.map { Double($0.height) }),
                       aspectRatio: Spread(shapes.map { Double($0.width) / Double(max(1, $0.height)) }),
                       commonSizes: Array(common), channels: channels)
}

/// Per-index results written by worker threads (each index by exactly one thread), read after they join.
final class ResultSlots<T>: @unchecked Sendable {
    // A raw buffer, not an array: concurrent writes to distinct elements of one array property
    // would trip Swift's exclusivity checks.
    private let values: UnsafeMutablePointer<T?>
    private let count: Int
    init(count: Int) {
        self.count = max(1, count)
        values = .allocate(capacity: self.count)
        values.initialize(repeating: nil, count: self.count)
    }
    deinit { values.deinitialize(count: count); values.deallocate() }
    func set(_ i: Int, _ v: T) { values[i] = v }
    func get(_ i: Int) -> T? { values[i] }
}

/// The per-file results of a review, passed between ranks as fixed binary records:
/// index, width, height, channels, content hash, difference hash, thumbnail length, thumbnail.
enum ReviewRecords {
    static func exchange(_ mine: Range<Int>, shapes: ResultSlots<ImageShape>, content: ResultSlots<UInt64>, dhash: ResultSlots<UInt64>,
                         thumbs: ResultSlots<[Int16]>, communicator: Communicator) {
        var bytes: [UInt8] = []
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        for i in mine {
            guard let s = shapes.get(i), let c = content.get(i), let d = dhash.get(i), let t = thumbs.get(i) else { continue }
            put(Int64(i)); put(Int32(s.width)); put(Int32(s.height)); put(Int32(s.channels)); put(c); put(d); put(Int32(t.count))
            for v in t { put(v) }
        }
        for part in communicator.allGather(bytes) {
            var at = 0
            func get<T: FixedWidthInteger>(_: T.Type) -> T {
                var v = T.zero
                withUnsafeMutableBytes(of: &v) { $0.copyBytes(from: part[at..<(at + MemoryLayout<T>.size)]) }
                at += MemoryLayout<T>.size
                return T(littleEndian: v)
            }
            while at < part.count {
                let i = Int(get(Int64.self))
                let shape = ImageShape(width: Int(get(Int32.self)), height: Int(get(Int32.self)), channels: Int(get(Int32.self)))
                let c = get(UInt64.self), d = get(UInt64.self)
                let thumb = (0..<Int(get(Int32.self))).map { _ in get(Int16.self) }
                shapes.set(i, shape); content.set(i, c); dhash.set(i, d); thumbs.set(i, thumb)
            }
        }
    }
}
