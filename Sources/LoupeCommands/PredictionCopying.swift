import Foundation
import LoupeLang
import Workflow

/// `copy p "DIR"`: the images of a prediction table copied into DIR/<predicted class>/, never overwriting.
enum PredictionCopying {
    struct Outcome {
        /// Images copied per class name.
        var copied: [String: Int] = [:]
        var total = 0
        /// Copies that got a numbered name because the plain one was taken.
        var renamed = 0
        /// "path: reason" for files that could not be copied.
        var failed: [String] = []
        var interrupted = false
    }

    static func copy(_ predictions: [FilePrediction], into dir: String, call: CommandInvocation) throws -> Outcome {
        try copy(predictions.map { ($0.path, $0.label) }, into: dir, call: call)
    }

    /// Copies each file into `DIR/<its class folder>/`.
    static func copy(_ predictions: [(path: String, label: String)], into dir: String, call: CommandInvocation) throws -> Outcome {
        let fm = FileManager.default
        var outcome = Outcome()
        guard call.writesFiles else { return outcome }
        call.progress.start(ProgressTask(title: "copy into \(dir)", steps: predictions.count, unit: "image"))
        defer { call.progress.finish(nil) }
        for (i, p) in predictions.enumerated() {
            if call.shouldStop() { outcome.interrupted = true; break }
            let folder = (dir as NSString).appendingPathComponent(safeFolderName(p.label))
            do {
                try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw CommandError.invalidArgument(parameter: "dir", message: "cannot create '\(folder)': \(FileErrorText.describe(error, path: folder))")
            }
            let name = (p.path as NSString).lastPathComponent
            let (target, numbered) = freeName(name, in: folder)
            do {
                try fm.copyItem(atPath: p.path, toPath: target)
                outcome.copied[p.label, default: 0] += 1
                outcome.total += 1
                if numbered { outcome.renamed += 1 }
            } catch {
                outcome.failed.append("\(p.path): \(fm.fileExists(atPath: p.path) ? FileErrorText.reason(error) : "the file is gone")")
            }
            // About 50 updates however many files: a copy is quick, a line per file is noise.
            if (i + 1) * 50 / predictions.count != i * 50 / predictions.count || i + 1 == predictions.count {
                call.progress.update(ProgressUpdate(step: i + 1))
            }
        }
        return outcome
    }

    /// `name` in `folder`, or `stem-1.ext`, `stem-2.ext`, … when it is taken.
    static func freeName(_ name: String, in folder: String) -> (path: String, numbered: Bool) {
        let fm = FileManager.default
        let plain = (folder as NSString).appendingPathComponent(name)
        if !fm.fileExists(atPath: plain) { return (plain, false) }
        let ext = (name as NSString).pathExtension
        let stem = (name as NSString).deletingPathExtension
        var n = 1
        while true {
            let candidate = (folder as NSString).appendingPathComponent(ext.isEmpty ? "\(stem)-\(n)" : "\(stem)-\(n).\(ext)")
            if !fm.fileExists(atPath: candidate) { return (candidate, true) }
            n += 1
        }
    }

    /// A class name usable as a folder name: path separators and a leading dot replaced.
    static func safeFolderName(_ label: String) -> String { classFolderName(label) }
}
