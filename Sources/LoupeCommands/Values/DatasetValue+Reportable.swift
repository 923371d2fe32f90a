import Datasets
import Plotting
import Workflow

extension DatasetValue: Reportable {
    public var reportTitle: String { "Dataset \(DataCommands.fileStem(dataset))" }

    /// Data (classes, counts, unreadable files), review (warnings and figures), split, augmentation.
    ///
    /// The review is the one `review d` made, or a fresh one when the dataset changed since.
    public func reportSections() throws -> [ReportSection] {
        let review = lastReview ?? dataset.review()
        return [DataReport.dataSection(dataset), DataReport.reviewSection(dataset, review: review),
                DataReport.splitSection(dataset), DataReport.augmentationSection(dataset)]
    }
}

/// Report sections about a dataset, shared by datasets, reviews and (through them) runs.
public enum DataReport {
    static func figure(_ f: any Figure, caption: String, name: String) -> ReportFigure {
        ReportFigure(image: f.image(scale: 2), caption: caption, name: name, pixelRatio: 2)
    }

    /// Source, size, classes with their counts per split, left-out classes and unreadable files.
    public static func dataSection(_ d: Dataset) -> ReportSection {
        var s = ReportSection("Data")
        var pairs: [(String, String)] = [("source", d.path), ("format", d.format.rawValue), ("images", "\(d.count)"),
                                         ("classes", "\(d.classes.count)")]
        if let size = d.size { pairs.append(("input size", "\(size.width)x\(size.height)" + (d.requestedSize == nil ? " (most common image size)" : ""))) }
        if let c = d.channels { pairs.append(("channels", c == 1 ? "1 (grey)" : "3 (RGB)")) }
        s.keyValues(pairs)
        let subsets = Subset.allCases.filter { d.indices(of: $0) != nil }
        let perSubset = subsets.map { sub -> [Int] in
            var c = [Int](repeating: 0, count: d.classes.count)
            for i in d.indices(of: sub) ?? [] { if let l = d.samples[i].label { c[l] += 1 } }
            return c
        }
        let rows = d.classes.indices.map { k in [d.classes[k], "\(d.counts[k])"] + perSubset.map { "\($0[k])" } }
        s.table(ReportTable(columns: ["class", "images"] + subsets.map(\.rawValue), rows: rows, caption: "Images per class"))
        if !d.classes.isEmpty {
            s.figure(figure(DataFigures.classCounts(d), caption: "Images per class; the dashed line marks half the largest class", name: "class-counts"))
        }
        if !d.excludedClasses.isEmpty {
            s.paragraph("Left out (too few images): " + d.excludedClasses.map { "\($0.name) (\($0.count))" }.joined(separator: ", ") + ".")
        }
        if !d.unreadable.isEmpty {
            s.warning("\(d.unreadable.count) file(s) could not be read and were skipped.")
            s.table(ReportTable(columns: ["file", "reason"], rows: d.unreadable.prefix(50).map { [$0.path, $0.reason] },
                                caption: d.unreadable.count > 50 ? "First 50 unreadable files" : "Unreadable files"))
        }
        return s
    }

    /// Warnings, image sizes, duplicates and leakage, the montage and mean images.
    public static func reviewSection(_ d: Dataset, review: DatasetReview) -> ReportSection {
        var s = ReportSection("Review")
        if review.warnings.isEmpty { s.paragraph("No warnings.") }
        for w in review.warnings { s.warning(w.text) }
        let sizes = DataCommands.sizeLines(review.sizes)
        if sizes.count > 2 { s.paragraph("Image sizes as min–median–max:") }
        s.keyValues(sizes)
        let groups = DataFigures.reviewGroups(review)
        if !groups.isEmpty {
            let membership = d.membership
            let rows = groups.prefix(30).map { g -> [String] in
                [g.exact ? "exact" : "near (distance \(g.maxDistance))",
                 g.samples.map { DataFigures.shortName(d, $0) }.joined(separator: ", "),
                 Set(g.samples.map { DataFigures.className(d, $0) }).sorted().joined(separator: ", "),
                 g.samples.compactMap { membership[$0]?.rawValue }.joined(separator: ", ")]
            }
            s.table(ReportTable(columns: ["kind", "files", "class", "splits"], rows: rows,
                                caption: groups.count > 30 ? "First 30 of \(groups.count) duplicate groups" : "Duplicate groups"))
        }
        if !d.classes.isEmpty {
            s.figure(figure(DataFigures.montage(d, review: review), caption: "Random samples of each class", name: "montage"))
            s.figure(figure(DataFigures.means(d, review: review), caption: "Mean image of each class: where the content sits", name: "mean-images"))
        }
        if let dup = DataFigures.duplicates(d, review: review) {
            s.figure(figure(dup, caption: "Duplicate groups, those across splits (leakage) first", name: "duplicates"))
        }
        return s
    }

    /// The split's fractions and seed, or why there is none yet.
    public static func splitSection(_ d: Dataset) -> ReportSection {
        var s = ReportSection("Split")
        if let split = d.split {
            let f = split.fractions
            var pairs = [("train", "\(split.train.count) images (\(DataCommands.share(f.train)))"),
                         ("val", "\(split.val.count) images (\(DataCommands.share(f.val)))"),
                         ("test", "\(split.test.count) images" + (d.presetTest != nil ? " (the source's own test split)" : " (\(DataCommands.share(f.test)))"))]
            if let m = f.valMax { pairs.append(("val_max", "\(m)")) }
            if let m = f.testMax { pairs.append(("test_max", "\(m)")) }
            pairs.append(("seed", "\(split.seed)"))
            s.keyValues(pairs)
            s.paragraph("Stratified: every class is split in the same proportions.")
        } else if let t = d.presetTest {
            s.paragraph("Not split into training and validation yet; the source brings a test split of \(t.count) images.")
        } else {
            s.paragraph("Not split yet.")
        }
        return s
    }

    /// The training-time augmentation and its warnings.
    public static func augmentationSection(_ d: Dataset) -> ReportSection {
        var s = ReportSection("Augmentation")
        guard let a = d.augmentation else {
            s.paragraph("None: training images are only resized.")
            return s
        }
        s.keyValues(DataCommands.settingPairs(a))
        let size = d.size ?? ImageSize(width: 224, height: 224)
        for w in a.warnings(for: d, inputWidth: size.width, inputHeight: size.height) { s.warning("\(w.parameter): \(w.message)") }
        s.paragraph("Used for training only; validation, test and prediction images are only resized.")
        return s
    }
}
