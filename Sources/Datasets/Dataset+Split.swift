import Foundation
import TensorCore
import LoupeBase

/// Shares of each class that go to training, validation and test, with optional totals caps.
public struct SplitFractions: Sendable, Equatable, Codable {
    public var train: Double
    public var val: Double
    public var test: Double
    /// At most this many validation images in all (spread over classes in proportion).
    public var valMax: Int?
    /// At most this many test images in all.
    public var testMax: Int?

    public init(train: Double, val: Double, test: Double, valMax: Int? = nil, testMax: Int? = nil) {
        self.train = train; self.val = val; self.test = test; self.valMax = valMax; self.testMax = testMax
    }

    /// Fills in what the user left out: val and test default to 0.1 (test to 0 when the dataset
    /// has its own test split) and train takes the rest.
    public static func resolve(train: Double?, val: Double?, test: Double?, valMax: Int? = nil, testMax: Int? = nil,
                               hasPresetTest: Bool) throws -> SplitFractions {
        if hasPresetTest, let test, test > 0 {
            throw DatasetError.invalidParameter(name: "test", value: "\(test)",
                                                reason: "this dataset already has a test split, which it keeps; leave test out")
        }
        let v = val ?? 0.1
        let t = hasPresetTest ? 0 : (test ?? 0.1)
        let tr = train ?? (1 - v - t)
        for (name, x) in [("train", tr), ("val", v), ("test", t)] where !(0...1).contains(x) {
            throw DatasetError.invalidParameter(name: name, value: "\(x)", reason: "must be between 0 and 1")
        }
        guard tr + v + t <= 1 + 1e-9 else {
            throw DatasetError.invalidParameter(name: "train", value: "\(tr)", reason: "train + val + test = \(tr + v + t), more than 1")
        }
        guard tr > 0 else { throw DatasetError.invalidParameter(name: "train", value: "\(tr)", reason: "nothing left for training") }
        for (name, m) in [("val_max", valMax), ("test_max", testMax)] {
            if let m, m < 0 { throw DatasetError.invalidParameter(name: name, value: "\(m)", reason: "must not be negative") }
        }
        return SplitFractions(train: tr, val: v, test: t, valMax: valMax, testMax: testMax)
    }
}

/// A recommended split and the reasons behind it.
public struct SplitRecommendation: Sendable, Equatable {
    public var fractions: SplitFractions
    public var notes: [String]
}

/// A split as made: sample indices per subset (ascending) and the seed, so a replay can check it.
public struct DatasetSplit: Sendable, Equatable, Codable {
    public var train: [Int]
    public var val: [Int]
    public var test: [Int]
    public var seed: UInt64
    public var fractions: SplitFractions
}

extension Dataset {
    /// Recommends fractions from the smallest class: at least ~15 validation and ~20 training
    /// images per class, 10% validation once classes have hundreds of images.
    ///
    /// A class of 40 gets 0.4 validation; test gets the same share as validation when the smallest
    /// class can still keep 20 training images, else none (evaluate on validation, and say so).
    public static func recommendSplit(counts: [Int], hasPresetTest: Bool) -> SplitRecommendation {
        var notes = [String]()
        let smallest = counts.filter { $0 > 0 }.min() ?? 0
        guard smallest > 0 else {
            return SplitRecommendation(fractions: SplitFractions(train: 0.8, val: 0.1, test: hasPresetTest ? 0 : 0.1),
                                       notes: ["no labelled images: the default 80/10/10 split"])
        }
        // 15 / n, rounded to 0.05, between 0.1 and 0.5.
        var val = min(0.5, max(0.1, (15.0 / Double(smallest) * 20).rounded() / 20))
        if Double(smallest) * (1 - val) < 20 {
            val = max(0.1, (Double(smallest - 20) / Double(smallest) * 20).rounded(.down) / 20)
            notes.append("the smallest class has \(smallest) images: too few for 20 training and 15 validation images; collect more")
        }
        var test = 0.0
        if hasPresetTest {
            notes.append("the dataset's own test split is kept")
        } else if Double(smallest) * (1 - 2 * val) >= 20 {
            test = val
        } else {
            notes.append("no test split: the smallest class (\(smallest) images) cannot spare one; judge on validation")
        }
        notes.insert("smallest class \(smallest) images: val \(val), test \(test)", at: 0)
        return SplitRecommendation(fractions: SplitFractions(train: 1 - val - test, val: val, test: test), notes: notes)
    }

    /// `recommendSplit` for this dataset's counts (the preset test split excluded).
    public func recommendedSplit() -> SplitRecommendation {
        let pool = indices(of: .train) ?? Array(samples.indices)
        var c = [Int](repeating: 0, count: classes.count)
        for i in pool { if let l = samples[i].label { c[l] += 1 } }
        return Dataset.recommendSplit(counts: c, hasPresetTest: presetTest != nil)
    }

    /// A stratified, seeded split. A preset test split is kept; the fractions divide the rest.
    ///
    /// Each class is shuffled by its own draw from one seeded stream and cut into test, val and
    /// train in that order, so the same seed and dataset always give the same split.
    public func splitting(_ fractions: SplitFractions, seed: UInt64) throws -> Dataset {
        let presetSet = Set(presetTest ?? [])
        var members = [[Int]](repeating: [], count: classes.count + 1)   // last: unlabelled
        for i in samples.indices where !presetSet.contains(i) {
            members[samples[i].label ?? classes.count].append(i)
        }
        func round(_ x: Double) -> Int { Int((x + 1e-9).rounded(.toNearestOrAwayFromZero)) }
        let rest = fractions.train + fractions.val + fractions.test >= 1 - 1e-9
        var nTest = members.map { round(fractions.test * Double($0.count)) }
        var nVal = members.map { round(fractions.val * Double($0.count)) }
        if let cap = fractions.testMax, nTest.reduce(0, +) > cap { nTest = proportionalAllocation(counts: nTest, total: cap) }
        if let cap = fractions.valMax, nVal.reduce(0, +) > cap { nVal = proportionalAllocation(counts: nVal, total: cap) }
        var rng = SeededGenerator(seed: seed, stream: 0x5B117)
        var train = [Int](), val = [Int](), test = [Int]()
        for (c, m) in members.enumerated() where !m.isEmpty {
            // Keep at least one training image per class: take it from test first, then val.
            while nTest[c] + nVal[c] >= m.count, nTest[c] + nVal[c] > 0 {
                if nTest[c] > 0 { nTest[c] -= 1 } else { nVal[c] -= 1 }
            }
            let nTrain = rest ? m.count - nTest[c] - nVal[c] : min(m.count - nTest[c] - nVal[c], max(1, round(fractions.train * Double(m.count))))
            let p = rng.permutation(m.count).map { m[$0] }
            test += p[0..<nTest[c]]
            val += p[nTest[c]..<(nTest[c] + nVal[c])]
            train += p[(nTest[c] + nVal[c])..<(nTest[c] + nVal[c] + nTrain)]
        }
        test += presetTest ?? []
        var d = self
        d.split = DatasetSplit(train: train.sorted(), val: val.sorted(), test: test.sorted(), seed: seed, fractions: fractions)
        return d
    }

    /// Applies a recorded split (e.g. from a saved session), checking that it fits this dataset.
    public func applying(_ split: DatasetSplit) throws -> Dataset {
        let all = split.train + split.val + split.test
        guard all.allSatisfy({ $0 >= 0 && $0 < samples.count }) else {
            throw DatasetError.splitMismatch(reason: "indices beyond the dataset's \(samples.count) images")
        }
        guard Set(all).count == all.count else {
            throw DatasetError.splitMismatch(reason: "an image is in more than one subset")
        }
        var d = self
        d.split = split
        return d
    }
}
