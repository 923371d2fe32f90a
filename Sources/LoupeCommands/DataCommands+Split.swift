import LoupeLang
import Datasets

extension DataCommands {
    static var splitCommand: CommandSpec {
        CommandSpec(
            name: "split", group: group,
            summary: "split into training, validation and test sets (stratified, seeded); recommends fractions when none are given",
            parameters: [
                .positional("d", .kind("dataset"), help: "the dataset; it is updated in place"),
                .option("train", .number, help: "share for training (default: what val and test leave)"),
                .option("val", .number, help: "share for validation (default 0.1, or recommended)"),
                .option("test", .number, help: "share for the test set (default 0.1; 0 when the source has its own)"),
                .option("val_max", .integer, help: "at most this many validation images in all"),
                .option("test_max", .integer, help: "at most this many test images in all"),
            ],
            result: "nothing; d.train, d.val and d.test exist afterwards and the counts per split are printed",
            example: "split d val=0.2"
        ) { call in try splitDataset(call) }
    }

    static func splitDataset(_ call: CommandInvocation) throws -> Value {
        let value = try call.arguments.object("d", as: DatasetValue.self)
        if let s = value.subset {
            throw CommandError.invalidArgument(parameter: "d", message: "this is the \(s.rawValue) split; split the whole dataset (split d)")
        }
        let d = value.dataset
        guard !d.classes.isEmpty else { throw CommandError.invalidArgument(parameter: "d", message: "an unlabelled dataset cannot be split by class") }
        func fraction(_ name: String) throws -> Double? {
            guard call.arguments[name] != nil else { return nil }
            let x = try call.arguments.number(name)
            guard (0...1).contains(x) else {
                throw CommandError.invalidArgument(parameter: name, message: "a share between 0 and 1 (e.g. \(name)=0.1 or \(name)=10%), not \(x)")
            }
            return x
        }
        func cap(_ name: String) throws -> Int? {
            guard call.arguments[name] != nil else { return nil }
            let n = try call.arguments.integer(name)
            guard n >= 0 else { throw CommandError.invalidArgument(parameter: name, message: "must not be negative") }
            return n
        }
        let train = try fraction("train"), val = try fraction("val"), test = try fraction("test")
        let valMax = try cap("val_max"), testMax = try cap("test_max")
        let hasPresetTest = d.presetTest != nil

        var fractions: SplitFractions
        if train == nil && val == nil && test == nil {
            // Counted here rather than by d.recommendedSplit(), which after an earlier split would
            // count only that split's training images.
            let preset = Set(d.presetTest ?? [])
            var pool = [Int](repeating: 0, count: d.classes.count)
            for (i, s) in d.samples.enumerated() where !preset.contains(i) { if let l = s.label { pool[l] += 1 } }
            let recommendation = Dataset.recommendSplit(counts: pool, hasPresetTest: hasPresetTest)
            fractions = recommendation.fractions
            fractions.valMax = valMax
            fractions.testMax = testMax
            call.write("recommended: train \(share(fractions.train)), val \(share(fractions.val)), "
                       + (hasPresetTest ? "test: the source's own" : fractions.test > 0 ? "test \(share(fractions.test))" : "no test split"))
            for note in recommendation.notes { call.write("  " + note) }
        } else {
            fractions = try translatingErrors {
                try SplitFractions.resolve(train: train, val: val, test: test, valMax: valMax, testMax: testMax, hasPresetTest: hasPresetTest)
            }
        }
        let splitSeed = seed(call.session, for: .split)
        let result = try translatingErrors { try d.splitting(fractions, seed: splitSeed) }
        value.dataset = result
        for line in splitLines(result) { call.write(line) }
        return .none
    }

    /// "train 960, val 120, test 120", then a table per class when there are few classes.
    static func splitLines(_ d: Dataset) -> [String] {
        guard let split = d.split else { return [] }
        var lines = ["split: train \(split.train.count), val \(split.val.count), test \(split.test.count)"
                     + (d.presetTest != nil ? " (the source's own test split)" : "")]
        let subsets: [(String, [Int])] = [("train", split.train), ("val", split.val), ("test", split.test)]
        let perClass = subsets.map { _, idx -> [Int] in
            var c = [Int](repeating: 0, count: d.classes.count)
            for i in idx { if let l = d.samples[i].label { c[l] += 1 } }
            return c
        }
        var table = [["class", "train", "val", "test"]]
        for (k, name) in d.classes.enumerated().prefix(20) { table.append([name] + perClass.map { "\($0[k])" }) }
        lines += alignedTable(table).map { "  " + $0 }
        if d.classes.count > 20 { lines.append("  … and \(d.classes.count - 20) more classes") }
        let empty = d.classes.indices.filter { perClass[1][$0] == 0 && !split.val.isEmpty }
        if !empty.isEmpty {
            lines.append("note: no validation images for " + listing(empty.map { d.classes[$0] }) + "; they are too small to judge")
        }
        return lines
    }
}
