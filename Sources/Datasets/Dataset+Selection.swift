import TensorCore
import LoupeBase

extension Dataset {
    /// Keeps only the named classes (in the order given), relabelling them 0, 1, ….
    public func keepingClasses(_ names: [String]) throws -> Dataset {
        var map = [Int: Int]()
        for (newLabel, name) in names.enumerated() {
            guard let old = classes.firstIndex(of: name) else {
                throw DatasetError.unknownClass(name: name, available: classes)
            }
            map[old] = newLabel
        }
        return remapped(classes: names, labelMap: map)
    }

    /// Leaves out classes with fewer than `minPerClass` images; they are listed in `excludedClasses`.
    public func droppingClasses(below minPerClass: Int) throws -> Dataset {
        guard minPerClass > 0 else { return self }
        let c = counts
        let kept = classes.indices.filter { c[$0] >= minPerClass }
        guard !kept.isEmpty else { throw DatasetError.noClassesLeft(path: path, minPerClass: minPerClass) }
        var map = [Int: Int]()
        for (n, old) in kept.enumerated() { map[old] = n }
        var d = remapped(classes: kept.map { classes[$0] }, labelMap: map)
        d.excludedClasses += classes.indices.filter { c[$0] < minPerClass }.map { ExcludedClass(name: classes[$0], count: c[$0]) }
        return d
    }

    /// A stratified subset of `n` images: every class, and the preset test split, keep their share.
    public func limited(to n: Int, seed: UInt64) throws -> Dataset {
        guard n > 0 else { throw DatasetError.invalidParameter(name: "limit", value: "\(n)", reason: "must be at least 1") }
        guard n < samples.count else { return self }
        // Strata: (class, in preset test?). Unlabelled samples form their own class.
        let test = Set(presetTest ?? [])
        var strata = [[Int]]()
        var key = [Int: Int]()
        for i in samples.indices {
            let k = ((samples[i].label ?? -1) + 1) * 2 + (test.contains(i) ? 1 : 0)
            if let s = key[k] { strata[s].append(i) } else { key[k] = strata.count; strata.append([i]) }
        }
        let take = proportionalAllocation(counts: strata.map(\.count), total: n)
        var rng = SeededGenerator(seed: seed, stream: 0x11_4D17)
        var chosen = [Int]()
        for (s, members) in strata.enumerated() {
            let p = rng.permutation(members.count)
            chosen += p.prefix(take[s]).map { members[$0] }
        }
        chosen.sort()
        var d = keeping(sampleIndices: chosen)
        d.split = nil
        return d
    }

    /// Samples at `sampleIndices` (ascending), with the preset test split and any split remapped.
    func keeping(sampleIndices: [Int]) -> Dataset {
        var newIndex = [Int](repeating: -1, count: samples.count)
        for (n, i) in sampleIndices.enumerated() { newIndex[i] = n }
        func remap(_ list: [Int]) -> [Int] { list.compactMap { newIndex[$0] >= 0 ? newIndex[$0] : nil } }
        var d = self
        d.samples = sampleIndices.map { samples[$0] }
        d.presetTest = presetTest.map(remap)
        if let split {
            d.split = DatasetSplit(train: remap(split.train), val: remap(split.val), test: remap(split.test),
                                   seed: split.seed, fractions: split.fractions)
        }
        return d
    }

    private func remapped(classes newClasses: [String], labelMap: [Int: Int]) -> Dataset {
        let keep = samples.indices.filter { i in samples[i].label.map { labelMap[$0] != nil } ?? true }
        var d = keeping(sampleIndices: keep)
        d.classes = newClasses
        for i in d.samples.indices { d.samples[i].label = d.samples[i].label.flatMap { labelMap[$0] } }
        return d
    }
}

/// Splits `total` across groups in proportion to `counts` (largest remainder), never above a count.
func proportionalAllocation(counts: [Int], total: Int) -> [Int] {
    let sum = counts.reduce(0, +)
    guard sum > 0 else { return counts.map { _ in 0 } }
    let target = min(total, sum)
    var alloc = counts.map { $0 * target / sum }
    var remainders = counts.indices.map { (i: $0, r: Double(counts[$0]) * Double(target) / Double(sum) - Double(alloc[$0])) }
    remainders.sort { $0.r != $1.r ? $0.r > $1.r : $0.i < $1.i }
    var left = target - alloc.reduce(0, +)
    var k = 0
    while left > 0 {
        let i = remainders[k % remainders.count].i
        if alloc[i] < counts[i] { alloc[i] += 1; left -= 1 }
        k += 1
    }
    return alloc
}
