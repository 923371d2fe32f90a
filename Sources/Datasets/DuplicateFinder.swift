/// Groups of samples that show the same picture.
public struct DuplicateGroup: Sendable, Equatable {
    /// Sample indices, ascending.
    public var samples: [Int]
    /// The subsets the group's samples belong to; more than one means leakage.
    public var subsets: [Subset]
    /// True when all samples have identical pixels; false for near duplicates.
    public var exact: Bool
    /// Largest hash distance between linked members (0 for exact groups).
    public var maxDistance: Int
}

/// Finds exact duplicate groups (equal content hashes) and near-duplicate groups (difference
/// hashes within `threshold` bits and `confirm`ed, linked transitively), skipping samples
/// whose hashes are nil.
///
/// `confirm` checks a candidate pair on the pixels: on small, plain images (28×28 garments)
/// many different pictures share nearly the same 64-bit hash, and linking those would chain
/// thousands of distinct images into one group.
///
/// Near pairs are found by multi-index hashing: split the 64 bits into threshold + 1 chunks;
/// two hashes within `threshold` bits agree exactly on at least one chunk (pigeonhole), so
/// only hashes sharing a chunk value are compared, instead of all n² pairs.
func findDuplicates(contentHashes: [UInt64?], differenceHashes: [UInt64?], threshold: Int,
                    membership: [Subset?], confirm: (Int, Int) -> Bool) -> (exact: [DuplicateGroup], near: [DuplicateGroup]) {
    let n = contentHashes.count
    func subsets(_ members: [Int]) -> [Subset] {
        Array(Set(members.compactMap { membership[$0] })).sorted { $0.rawValue < $1.rawValue }
    }
    var byContent = [UInt64: [Int]]()
    for i in 0..<n { if let h = contentHashes[i] { byContent[h, default: []].append(i) } }
    let exact = byContent.values.filter { $0.count > 1 }.map { m in
        DuplicateGroup(samples: m, subsets: subsets(m), exact: true, maxDistance: 0)
    }.sorted { $0.samples[0] < $1.samples[0] }

    // Union–find over samples; identical difference hashes are linked first.
    var parent = Array(0..<n)
    func find(_ x: Int) -> Int {
        var x = x
        while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
        return x
    }
    var linkDistance = [Int: Int]()
    func union(_ a: Int, _ b: Int, _ d: Int) {
        let ra = find(a), rb = find(b)
        let r = min(ra, rb)
        let merged = max(linkDistance[ra] ?? 0, linkDistance[rb] ?? 0, d)
        if ra != rb { parent[max(ra, rb)] = r }
        linkDistance[r] = merged
    }
    var byDHash = [UInt64: [Int]]()
    for i in 0..<n { if let h = differenceHashes[i] { byDHash[h, default: []].append(i) } }
    let distinct = byDHash.keys.sorted()
    func link(_ a: [Int], _ b: [Int], _ d: Int) {
        for i in a { for k in b where i < k || a != b { if find(i) != find(k), confirm(i, k) { union(i, k, d) } } }
    }
    for h in distinct { let m = byDHash[h]!; if m.count > 1 { link(m, m, 0) } }

    let t = max(0, min(threshold, 63))
    if t > 0 {
        let chunks = t + 1
        let bounds = (0...chunks).map { $0 * 64 / chunks }
        func chunk(_ h: UInt64, _ j: Int) -> UInt64 {
            let width = bounds[j + 1] - bounds[j]
            return (h >> UInt64(bounds[j])) & ((1 << UInt64(width)) - 1)
        }
        for j in 0..<chunks {
            var buckets = [UInt64: [Int]]()
            for (id, h) in distinct.enumerated() { buckets[chunk(h, j), default: []].append(id) }
            for bucket in buckets.values where bucket.count > 1 {
                for a in 0..<(bucket.count - 1) {
                    let ha = distinct[bucket[a]]
                    for b in (a + 1)..<bucket.count {
                        let hb = distinct[bucket[b]]
                        let d = hammingDistance(ha, hb)
                        guard d <= t else { continue }
                        // Count each pair once: in the first chunk where the two agree.
                        if (0..<j).contains(where: { chunk(ha, $0) == chunk(hb, $0) }) { continue }
                        link(byDHash[ha]!, byDHash[hb]!, d)
                    }
                }
            }
        }
    }
    var components = [Int: [Int]]()
    for i in 0..<n where differenceHashes[i] != nil { components[find(i), default: []].append(i) }
    var near = [DuplicateGroup]()
    for (root, members) in components where members.count > 1 {
        // A group that is one exact-duplicate set is already reported as exact.
        let contents = Set(members.compactMap { contentHashes[$0] })
        if contents.count <= 1 { continue }
        near.append(DuplicateGroup(samples: members, subsets: subsets(members), exact: false,
                                   maxDistance: linkDistance[root] ?? 0))
    }
    near.sort { $0.samples[0] < $1.samples[0] }
    return (exact, near)
}
