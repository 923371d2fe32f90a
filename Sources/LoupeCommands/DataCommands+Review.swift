import Foundation
import LoupeLang
import Datasets
import Plotting
import TensorCore

extension DataCommands {
    static var reviewCommand: CommandSpec {
        CommandSpec(
            name: "review", group: group,
            summary: "look at the data: counts, imbalance, sizes, unreadable files, duplicates, leakage, montages",
            parameters: [
                .positional("d", .kind("dataset"), help: "the dataset (or one of its splits, e.g. d.train)"),
                .option("to", .string, help: "folder for the figures (default: the work folder)"),
            ],
            result: "a review (warnings, duplicates, leakage, figures); figures: class counts, a montage per class, mean images, duplicates",
            example: "r = review d"
        ) { call in try reviewDataset(call) }
    }

    static func reviewDataset(_ call: CommandInvocation) throws -> Value {
        let value = try call.arguments.object("d", as: DatasetValue.self)
        let d = value.dataset
        guard d.count > 0 else { throw CommandError.invalidArgument(parameter: "d", message: "the dataset has no images") }
        var options = ReviewOptions()
        options.seed = seed(call.session, for: .review)
        // The Data layer reports no progress inside a review; one drawn line says what is happening.
        call.progress.start(ProgressTask(title: "review: decoding and hashing \(d.count) images", steps: 1, unit: ""))
        call.progress.update(ProgressUpdate(step: 0))
        let review = d.review(options, communicator: call.communicator)
        call.progress.finish(nil)
        if call.shouldStop() { throw CommandError.interrupted }

        let figures = try writeReviewFigures(d, review: review, subset: value.subset, call: call)
        for line in reviewLines(d, review: review, name: assignedName(call, fallback: "_")) { call.write(line) }
        for f in figures { call.showFigure(f.path, title: f.name) }
        // The lines above say all the result's summary would (counts, warnings, duplicates).
        call.resultWasShown()
        value.lastReview = review
        return .object(ReviewValue(dataset: d, review: review, figures: figures))
    }

    /// Writes the class counts, montage, mean images and (when there are any) duplicates.
    static func writeReviewFigures(_ d: Dataset, review: DatasetReview, subset: Subset?,
                                   call: CommandInvocation) throws -> [(name: String, path: String)] {
        let stem = fileStem(d, subset: subset)
        let folder: String
        if case .string(let dir)? = call.arguments["to"] {
            folder = dir
            if call.writesFiles { try makeFolder(dir, parameter: "to") }
        } else {
            folder = (call.session.workPath("x") as NSString).deletingLastPathComponent
            if call.writesFiles { try makeFolder(folder, parameter: nil) }
        }
        func path(_ what: String) -> String { (folder as NSString).appendingPathComponent("\(stem)-\(what).png") }
        var figures: [(name: String, path: String, figure: any Figure)] = []
        if !d.classes.isEmpty {
            figures.append(("class counts", path("class-counts"), DataFigures.classCounts(d)))
            figures.append(("montage per class", path("montage"), DataFigures.montage(d, review: review)))
            figures.append(("mean image per class", path("mean-images"), DataFigures.means(d, review: review)))
        }
        if let dup = DataFigures.duplicates(d, review: review) {
            figures.append(("duplicates", path("duplicates"), dup))
        }
        for f in figures {
            if call.writesFiles { do { try f.figure.write(to: f.path) } catch {
                throw CommandError.failed("cannot write the figure \(f.path): \(error)")
            } }
        }
        return figures.map { ($0.name, $0.path) }
    }

    /// The printed review: counts per class and split, sizes, duplicates, warnings.
    static func reviewLines(_ d: Dataset, review: DatasetReview, name: String) -> [String] {
        var lines = ["review of \(fileStem(d)): \(review.counts.reduce(0, +)) images, \(review.classes.count) classes"]
        let subsets = Subset.allCases.filter { review.subsetCounts[$0] != nil }
        if !review.classes.isEmpty {
            var table = [["class", "images"] + subsets.map(\.rawValue)]
            for (k, name) in review.classes.enumerated().prefix(30) {
                table.append([name, "\(review.counts[k])"] + subsets.map { "\(review.subsetCounts[$0]![k])" })
            }
            lines += alignedTable(table).map { "  " + $0 }
            if review.classes.count > 30 { lines.append("  … and \(review.classes.count - 30) more classes (\(name).counts)") }
        }
        let sizes = sizeLines(review.sizes)
        if sizes.count <= 2 {
            lines.append("sizes: " + sizes.map { "\($0.0) \($0.1)" }.joined(separator: "; "))
        } else {
            lines.append("sizes (min–median–max):")
            lines += sizes.map { "  \($0.0): \($0.1)" }
        }
        let exact = review.exactDuplicates.count, near = review.nearDuplicates.count
        lines.append("duplicates: \(counted(exact, "exact group")), \(counted(near, "near group")), "
                     + "\(review.leakage.count) across splits" + (subsets.count > 1 ? "" : " (no split yet)"))
        let membership = d.membership
        for g in DataFigures.reviewGroups(review).prefix(5) {
            let names = DataFigures.shownMembers(g, membership: membership, limit: 4).map { i in
                DataFigures.shortName(d, i) + (membership[i].map { " [\($0.rawValue)]" } ?? "")
            }
            let more = g.samples.count > 4 ? " and \(g.samples.count - 4) more" : ""
            let classes = Set(g.samples.map { DataFigures.className(d, $0) }).sorted().joined(separator: ", ")
            let conflict = DataFigures.labelsDiffer(d, g) ? ": labels differ" : ""
            lines.append("  \(g.exact ? "exact" : "near"): " + names.joined(separator: g.exact ? " = " : " ≈ ") + more + " (\(classes)\(conflict))")
        }
        if exact + near > 5 { lines.append("  … all \(exact + near) groups in \(name).duplicates and the duplicates figure") }
        if !review.unreadable.isEmpty {
            lines.append("unreadable: \(counted(review.unreadable.count, "file"))")
            for u in review.unreadable.prefix(5) { lines.append("  \(u.path): \(u.reason)") }
            if review.unreadable.count > 5 { lines.append("  … and \(review.unreadable.count - 5) more (\(name).unreadable)") }
        }
        if !d.iterations.isEmpty {
            lines.append("iterations: 1 as loaded, then \(counted(d.iterations.count, "add")) (now iteration \(d.iteration)):")
            lines += iterationTable(d).formatted().split(separator: "\n").map { "  " + $0 }
        }
        if review.warnings.isEmpty {
            lines.append("no warnings")
        } else {
            lines.append("warnings:")
            for w in review.warnings.prefix(12) { lines.append("  - " + w.text) }
            if review.warnings.count > 12 { lines.append("  … and \(review.warnings.count - 12) more (\(name).warnings)") }
        }
        return lines
    }

    /// Sizes, aspect ratios (min–median–max where they vary) and channels in a few words each.
    static func sizeLines(_ s: SizeSummary) -> [(String, String)] {
        func spread(_ x: Spread, digits: Bool = false) -> String {
            let f: (Double) -> String = { digits ? String(format: "%.2f", $0) : String(Int($0.rounded())) }
            return x.min == x.max ? f(x.min) : "\(f(x.min))–\(f(x.median))–\(f(x.max))"
        }
        var pairs = [(String, String)]()
        let total = s.commonSizes.reduce(0) { $0 + $1.count }
        if s.width.min == s.width.max && s.height.min == s.height.max {
            pairs.append(("size", "all \(Int(s.width.min))x\(Int(s.height.min))"))
        } else {
            pairs.append(("width", spread(s.width)))
            pairs.append(("height", spread(s.height)))
            pairs.append(("aspect ratio", spread(s.aspectRatio, digits: true)))
            let common = s.commonSizes.prefix(3).map { "\($0.width)x\($0.height) (\($0.count))" }.joined(separator: ", ")
            if total > 0 { pairs.append(("most common", common)) }
        }
        let names = [1: "grey", 2: "grey+alpha", 3: "RGB", 4: "RGBA"]
        let channels = s.channels.sorted { $0.key < $1.key }.map { "\(names[$0.key] ?? "\($0.key) channels") \($0.value)" }
        if !channels.isEmpty { pairs.append(("channels", channels.joined(separator: ", "))) }
        return pairs
    }

    /// Rows of cells as left-aligned first column and right-aligned numbers.
    static func alignedTable(_ rows: [[String]]) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return c == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
    }

    /// 0.8 → "80%".
    static func share(_ x: Double) -> String {
        let p = x * 100
        return abs(p - p.rounded()) < 1e-6 ? "\(Int(p.rounded()))%" : String(format: "%.1f%%", p)
    }
}
