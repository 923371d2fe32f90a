import LoupeLang
import Datasets

/// A dataset in the session (`d = dataset "PATH"`). A reference, so `split d` and `augment d`
/// update the variable in place; commands change it only once they have succeeded.
public final class DatasetValue: LoupeObject {
    public var dataset: Dataset {
        didSet {
            if oldValue.samples != dataset.samples || oldValue.split != dataset.split { lastReview = nil }
        }
    }
    /// The split this value shows (nil for the whole dataset).
    public let subset: Subset?
    /// The last `review d` of the dataset as it is now (cleared when its images or split change),
    /// so `report d` shows the same findings without reviewing again.
    public var lastReview: DatasetReview?

    public init(_ dataset: Dataset, subset: Subset? = nil) {
        self.dataset = dataset
        self.subset = subset
    }

    public var kind: String { "dataset" }

    public static var kindDoc: KindDoc { KindDoc(kind: "dataset", summary: "labelled images, with their split and augmentation", attributes: [
        ("classes", "class names, in label order"),
        ("count", "number of images"),
        ("counts", "images per class, in class order"),
        ("train", "the training split as a dataset (none before split)"),
        ("val", "the validation split (none before split)"),
        ("test", "the test split (none before split, except the source's own, e.g. t10k)"),
        ("size", "the input size models see (size=, else the most common image size)"),
        ("channels", "1 (grey) or 3 (RGB)"),
        ("unreadable", "files skipped, with the reason"),
        ("path", "where the dataset was loaded from"),
        ("iteration", "1 as loaded, one more for each add that added images"),
        ("iterations", "table: iteration, added, refused, train_images, per_class, source (one row per add)"),
    ]) }

    public var summary: String {
        let name = subset.map { "\($0.rawValue) split" } ?? "dataset"
        var parts = ["\(name): \(dataset.count) images, \(dataset.classes.count) classes"]
        if let s = dataset.size { parts.append("\(s.width)x\(s.height)") }
        if let c = dataset.channels { parts.append(c == 1 ? "grey" : "RGB") }
        if subset == nil {
            if let split = dataset.split {
                parts.append("split \(split.train.count)/\(split.val.count)/\(split.test.count)")
            } else if let t = dataset.presetTest {
                parts.append("test split of \(t.count) from the source, run split for train/val")
            } else {
                parts.append("not split yet")
            }
        }
        if dataset.augmentation != nil && subset != .val && subset != .test { parts.append("augmented") }
        if subset == nil && dataset.iteration > 1 { parts.append("iteration \(dataset.iteration)") }
        if !dataset.unreadable.isEmpty { parts.append("\(counted(dataset.unreadable.count, "unreadable file")) skipped") }
        if !dataset.ignoredFiles.isEmpty { parts.append("\(counted(dataset.ignoredFiles.count, "file")) that \(dataset.ignoredFiles.count == 1 ? "is" : "are") not an image ignored") }
        return parts.joined(separator: ", ")
    }

    public var attributeNames: [String] { ["classes", "count", "counts", "train", "val", "test", "size", "channels", "unreadable", "path", "iteration", "iterations"] }

    public func attribute(named name: String) -> Value? {
        switch name {
        case "classes": return .list(dataset.classes.map { .string($0) })
        case "count": return .integer(dataset.count)
        case "counts": return .list(dataset.counts.map { .integer($0) })
        case "train", "val", "test":
            guard subset == nil, let s = Subset(rawValue: name), let d = dataset.subset(s), hasSubset(s) else { return Value.none }
            return .object(DatasetValue(d, subset: s))
        case "size": return dataset.size.map { .size(width: $0.width, height: $0.height) } ?? Value.none
        case "channels": return dataset.channels.map { .integer($0) } ?? Value.none
        case "unreadable": return .list(dataset.unreadable.map { .string("\($0.path): \($0.reason)") })
        case "path": return .string(dataset.path)
        case "iteration": return .integer(dataset.iteration)
        case "iterations": return .table(DataCommands.iterationTable(dataset))
        default: return nil
        }
    }

    /// `none` before a split, except the test split a source brings (IDX t10k).
    private func hasSubset(_ s: Subset) -> Bool {
        dataset.split != nil || (s == .test && dataset.presetTest != nil)
    }

    public var table: Table? {
        Table(columns: ["class", "images"], rows: zip(dataset.classes, dataset.counts).map { [.string($0), .integer($1)] })
    }
}
