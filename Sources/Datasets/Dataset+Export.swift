import Dispatch
import Foundation
import Imaging
import TensorCore
import LoupeBase

/// One image `export` writes: the sample and its file path relative to the export folder.
public struct ExportItem: Sendable, Equatable {
    public var index: Int
    /// "Shirt/test-00042.png" (per-class folders) or "test-00042.png" (flat).
    public var relativePath: String
}

extension Dataset {
    /// A stratified, seeded choice of `n` sample indices (every class keeps its share), in sample
    /// order; all samples when `n` is nil or not below the count.
    ///
    /// Per class a seeded permutation is cut at the class's share, so the same seed and `n` give
    /// the same images: an unlabelled export and a labelled one of the same `n` hold the same images.
    public func stratifiedChoice(_ n: Int?, seed: UInt64) -> [Int] {
        guard let n, n < samples.count else { return Array(samples.indices) }
        var byClass: [Int: [Int]] = [:]
        for (i, s) in samples.enumerated() { byClass[s.label ?? -1, default: []].append(i) }
        let keys = byClass.keys.sorted()
        let take = proportionalAllocation(counts: keys.map { byClass[$0]!.count }, total: n)
        var rng = SeededGenerator(seed: seed, stream: 0xE4_9087)
        var chosen: [Int] = []
        for (k, key) in keys.enumerated() {
            let members = byClass[key]!
            chosen += rng.permutation(members.count).prefix(take[k]).map { members[$0] }
        }
        return chosen.sorted()
    }

    /// Where each chosen sample goes: `CLASS/NAME.png` (per-class folders) or `NAME.png` (flat).
    ///
    /// NAME is the source file's name without its extension, or `<stem>-<index>` for images
    /// without a file (IDX); a name taken twice in one folder gets `-1`, `-2`, …. The class folder
    /// is the class name with path separators replaced (`classFolder`). Unlabelled samples go flat.
    public func exportPlan(_ indices: [Int], labelled: Bool, stem: String, classFolder: (String) -> String) -> [ExportItem] {
        let width = max(5, String(samples.count).count)
        var used: Set<String> = []
        return indices.map { i in
            let s = samples[i]
            var name: String
            switch s.source {
            case .file(let path): name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            case .memory: name = stem + "-" + String(repeating: "0", count: max(0, width - String(i).count)) + String(i)
            }
            if let r = s.region { name += "-\(r.x)-\(r.y)" }
            let folder = labelled ? s.label.map { classFolder(classes[$0]) + "/" } ?? "" : ""
            var candidate = folder + name + ".png", k = 1
            while used.contains(candidate) { candidate = folder + name + "-\(k).png"; k += 1 }
            used.insert(candidate)
            return ExportItem(index: i, relativePath: candidate)
        }
    }

    /// Writes the planned images below `folder` as PNG (atomically, replacing a file of the same
    /// name), decoding on `workers` threads. Returns the files that failed, with reasons.
    ///
    /// `progress(done)` is called on the calling thread after each chunk; `shouldStop` is polled
    /// between chunks (what was written stays written).
    public func writePNGs(_ plan: [ExportItem], into folder: String, workers: Int = Parallel.threads,
                          shouldStop: () -> Bool = { false }, progress: (Int) -> Void = { _ in }) -> (failed: [UnreadableFile], stopped: Bool) {
        var failed: [UnreadableFile] = []
        let chunk = 256
        var start = 0
        while start < plan.count {
            if shouldStop() { return (failed, true) }
            let part = Array(plan[start..<min(start + chunk, plan.count)])
            let errors = ResultSlots<String>(count: part.count)
            let lanes = max(1, min(workers, part.count))
            DispatchQueue.concurrentPerform(iterations: lanes) { lane in
                for k in stride(from: lane, to: part.count, by: lanes) {
                    let path = (folder as NSString).appendingPathComponent(part[k].relativePath)
                    do {
                        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                                withIntermediateDirectories: true)
                        // The decode's share of the budget is held until the PNG is written.
                        try withImage(at: part[k].index) { try $0.writePNG(to: path) }
                    } catch let DatasetError.unreadable(_, reason) {
                        errors.set(k, reason)  // the listing names the source file
                    } catch {
                        errors.set(k, reasonText(error, path: path))
                    }
                }
            }
            for k in part.indices { if let e = errors.get(k) { failed.append(UnreadableFile(path: samples[part[k].index].displayName, reason: e)) } }
            start += part.count
            progress(start)
        }
        return (failed, false)
    }
}
