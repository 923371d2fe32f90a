import Dispatch
import Foundation
import TensorCore
import Imaging

/// One round of images added to a dataset's training split (`add d "DIR"`).
public struct DatasetIteration: Sendable, Equatable, Codable {
    /// 2 for the first `add` (the dataset as loaded is iteration 1).
    public var number: Int
    /// The folder the images came from.
    public var source: String
    /// Images added per class, in class order.
    public var addedPerClass: [Int]
    /// Images refused: already in the training split (or twice in the folder), and already in val/test.
    public var refusedDuplicates: Int
    public var refusedLeaks: Int
    /// Training images after this iteration.
    public var trainCount: Int

    public var added: Int { addedPerClass.reduce(0, +) }

    public init(number: Int, source: String, addedPerClass: [Int], refusedDuplicates: Int, refusedLeaks: Int, trainCount: Int) {
        self.number = number; self.source = source; self.addedPerClass = addedPerClass
        self.refusedDuplicates = refusedDuplicates; self.refusedLeaks = refusedLeaks; self.trainCount = trainCount
    }
}

/// Why `add` refused a file.
public enum AddRefusal: Sendable, Equatable, CustomStringConvertible {
    /// The same image (pixel for pixel) is already in the training split.
    case duplicate(path: String, of: String)
    /// The same image is already in the validation or test split: adding it would leak.
    case leak(path: String, of: String, split: Subset)
    /// The same image came earlier in the folder being added.
    case repeated(path: String, of: String)

    public var path: String {
        switch self { case .duplicate(let p, _), .leak(let p, _, _), .repeated(let p, _): return p }
    }

    public var isLeak: Bool { if case .leak = self { return true } else { return false } }

    public var description: String {
        switch self {
        case let .duplicate(path, of): return "\(path): already in the training split (\(of))"
        case let .leak(path, of, split): return "\(path): already in the \(split == .val ? "validation" : "test") split (\(of)); training on it would leak"
        case let .repeated(path, of): return "\(path): the same image as \(of) in this folder"
        }
    }
}

/// What `addingToTraining` did.
public struct AddOutcome: Sendable {
    public var dataset: Dataset
    /// The iteration recorded (nil when nothing was added).
    public var iteration: DatasetIteration?
    public var refused: [AddRefusal]
    public var unreadable: [UnreadableFile]
}

extension Dataset {
    /// The dataset's current iteration: 1 as loaded, one more for each `add` that added images.
    public var iteration: Int { iterations.last?.number ?? 1 }

    /// Adds labelled image files to the training split as a new iteration.
    ///
    /// Every file is decoded; an image equal pixel for pixel (`contentHash`) to one already in
    /// the training split, or earlier in `files`, is refused as a duplicate, and one equal to a
    /// validation or test image is refused as a leak (it would make those splits judge the model
    /// on what it trained on). Unreadable files are skipped and listed. The dataset needs a
    /// training split: a split made by `split`, or the source's own test split (IDX), whose other
    /// images are the training split.
    public func addingToTraining(_ files: [(path: String, label: Int)], source: String,
                                 workers: Int = Parallel.threads,
                                 limits: ImageLimits = .default) throws -> AddOutcome {
        guard indices(of: .train) != nil else {
            throw DatasetError.splitMismatch(reason: "the dataset has no training split yet; run split first, so that added images go to training and never to val or test")
        }
        for f in files where !classes.indices.contains(f.label) {
            throw DatasetError.invalidParameter(name: "label", value: "\(f.label)", reason: "no class has this label")
        }
        let known = contentHashes(workers: workers)
        let membership = self.membership
        var owner: [UInt64: (index: Int, subset: Subset)] = [:]
        // Test wins over val over train, so a leak is reported even when the image is also in training.
        for subset in [Subset.train, .val, .test] {
            for i in samples.indices where membership[i] == subset { if let h = known.get(i) { owner[h] = (i, subset) } }
        }
        var d = self
        if store.block != nil || !store.images.isEmpty {
            // An in-memory store cannot read files: the same pixels behind a store that also decodes files.
            d.store = ImageStore(block: store.block, images: store.images, cacheBudget: store.cacheBudget, limits: limits,
                                 budget: store.budget)
        }
        // Decode the new files side by side under the store's budget, keeping only hashes and shapes.
        let decoded = ResultSlots<(hash: UInt64, shape: ImageShape)>(count: files.count), errors = ResultSlots<String>(count: files.count)
        let lanes = max(1, min(workers, files.count))
        let target = d.store
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            for k in stride(from: lane, to: files.count, by: lanes) {
                do {
                    decoded.set(k, try target.withImage(.file(files[k].path)) { image in
                        (contentHash(image), ImageShape(width: image.width, height: image.height, channels: image.channels))
                    })
                } catch let DatasetError.unreadable(_, reason) {
                    errors.set(k, reason)
                } catch {
                    errors.set(k, reasonText(error, path: files[k].path))
                }
            }
        }
        var refused: [AddRefusal] = [], unreadable: [UnreadableFile] = []
        var seen: [UInt64: String] = [:]
        var perClass = [Int](repeating: 0, count: classes.count)
        var newIndices: [Int] = []
        for (k, f) in files.enumerated() {
            guard let (h, shape) = decoded.get(k) else {
                unreadable.append(UnreadableFile(path: f.path, reason: errors.get(k) ?? "cannot be decoded"))
                continue
            }
            if let o = owner[h] {
                let name = samples[o.index].displayName
                refused.append(o.subset == .train ? .duplicate(path: f.path, of: name) : .leak(path: f.path, of: name, split: o.subset))
                continue
            }
            if let first = seen[h] { refused.append(.repeated(path: f.path, of: first)); continue }
            seen[h] = f.path
            newIndices.append(d.samples.count)
            d.samples.append(Sample(source: .file(f.path), label: f.label, shape: shape))
            perClass[f.label] += 1
        }
        guard !newIndices.isEmpty else { return AddOutcome(dataset: self, iteration: nil, refused: refused, unreadable: unreadable) }
        if var split = d.split {
            split.train = (split.train + newIndices).sorted()
            d.split = split
        }
        // With only a preset test split, every image outside it is training: nothing more to record.
        let iteration = DatasetIteration(number: iteration + 1, source: source, addedPerClass: perClass,
                                         refusedDuplicates: refused.count { !$0.isLeak }, refusedLeaks: refused.count { $0.isLeak },
                                         trainCount: d.indices(of: .train)?.count ?? 0)
        d.iterations.append(iteration)
        return AddOutcome(dataset: d, iteration: iteration, refused: refused, unreadable: unreadable)
    }

    /// The content hash of every sample (nil where the image cannot be read), computed side by side.
    func contentHashes(workers: Int) -> ResultSlots<UInt64> {
        let hashes = ResultSlots<UInt64>(count: samples.count)
        let lanes = max(1, min(workers, samples.count))
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            for i in stride(from: lane, to: samples.count, by: lanes) {
                if let h = try? withImage(at: i, contentHash) { hashes.set(i, h) }
            }
        }
        return hashes
    }
}

/// The content hash as the prediction log writes it: 16 hexadecimal digits.
public func contentDigest(_ image: Image) -> String {
    let h = contentHash(image)
    let hex = String(h, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}
