import Foundation
import LoupeLang
import Datasets
import Workflow
import LoupeBase

/// `add d "DIR"`: labelled images (one folder per class) into the training split, as a new iteration.
extension DataCommands {
    static var addCommand: CommandSpec {
        CommandSpec(
            name: "add", group: group,
            summary: "add labelled images (DIR/<class>/…) to the training split as a new dataset iteration; duplicates and val/test images are refused",
            parameters: [
                .positional("d", .kind("dataset"), help: "the dataset (split, or with its source's own test split); the images go to d.train"),
                .positional("dir", .string, help: "a folder with one sub-folder per class (unknown/ and discard/ are left out), e.g. from copy v \"DIR\""),
            ],
            result: "nothing; prints the iteration, the images added per class, and every file refused with the reason",
            example: "add d \"corrected/\""
        ) { call in try addImages(call) }
    }

    static func addImages(_ call: CommandInvocation) throws -> Value {
        let value = try call.arguments.object("d", as: DatasetValue.self)
        if let s = value.subset {
            throw CommandError.invalidArgument(parameter: "d", message: "add to the whole dataset, not its \(s.rawValue) split: add \(assignedDatasetName(call)) \"DIR\" puts the images into its training split")
        }
        let dir = try call.arguments.string("dir")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandError.invalidArgument(parameter: "dir", message: "'\(dir)' is not a folder")
        }
        let d = value.dataset
        guard !d.classes.isEmpty else { throw CommandError.invalidArgument(parameter: "d", message: "the dataset has no classes (it is unlabelled)") }
        guard d.indices(of: .train) != nil else {
            throw CommandError.invalidArgument(parameter: "d", message: "split the dataset first (split d): added images go to the training split, and there is none yet")
        }
        // Folders name classes (as copy and export name them); unknown/ and discard/ are undecided.
        var classOfFolder: [String: Int] = [:]
        for (i, c) in d.classes.enumerated() { classOfFolder[c] = i; classOfFolder[classFolderName(c)] = i }
        let root = dir.hasSuffix("/") ? dir : dir + "/"
        var files: [(path: String, label: Int)] = [], loose: [String] = [], skipped: [String: Int] = [:], strangers: [String: Int] = [:]
        for path in datasetFiles(below: dir) {
            let relative = path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
            let parts = relative.split(separator: "/")
            guard parts.count >= 2 else { loose.append(path); continue }
            let folder = String(parts[0])
            if let label = classOfFolder[folder] {
                files.append((path, label))
            } else if unknownFolderNames.contains(folder.lowercased()) || discardFolderNames.contains(folder.lowercased()) {
                skipped[folder, default: 0] += 1
            } else {
                strangers[folder, default: 0] += 1
            }
        }
        if let (folder, count) = strangers.sorted(by: { $0.key < $1.key }).first {
            let others = strangers.count > 1 ? " (and \(strangers.count - 1) other folder\(strangers.count == 2 ? "" : "s"): " + strangers.keys.sorted().dropFirst().joined(separator: ", ") + ")" : ""
            throw CommandError.invalidArgument(parameter: "dir", message: "'\(root)\(folder)/' (\(counted(count, "file"))) is not a class of the dataset\(others)"
                + Suggestions.didYouMean(folder, among: d.classes)
                + "; rename it to one of \(DataCommands.listing(d.classes, limit: 12)), or move its images to unknown/; nothing was added")
        }
        guard !files.isEmpty else {
            throw CommandError.invalidArgument(parameter: "dir", message: "'\(dir)' has no images in class folders (DIR/<class>/…)"
                + (loose.isEmpty ? "" : "; \(loose.count) file\(loose.count == 1 ? " sits" : "s sit") directly in it, without a class")
                + (skipped.isEmpty ? "" : "; unknown/ and discard/ are left out"))
        }
        call.progress.start(ProgressTask(title: "add: decoding and hashing \(files.count) new and \(d.count) existing images", steps: 1, unit: ""))
        call.progress.update(ProgressUpdate(step: 0))
        let outcome = try translatingErrors(pathParameter: "dir") { try d.addingToTraining(files, source: dir) }
        call.progress.finish(nil)
        if call.shouldStop() { throw CommandError.interrupted }
        value.dataset = outcome.dataset
        let stem = fileStem(d)
        if let it = outcome.iteration {
            let shown = d.classes.indices.filter { it.addedPerClass[$0] > 0 }.map { "\(d.classes[$0]) \(it.addedPerClass[$0])" }
            call.write("added \(counted(it.added, "image")) to the training split of \(stem) as iteration \(it.number) (\(listing(shown, limit: 10))); "
                       + "the training split now holds \(it.trainCount) images")
        } else {
            call.write("added nothing to \(stem): every image of \(dir) was refused or unreadable; the dataset stays at iteration \(d.iteration)")
        }
        let leaks = outcome.refused.filter(\.isLeak), duplicates = outcome.refused.filter { !$0.isLeak }
        refusedList("refused \(counted(leaks.count, "image")) already in the validation or test split (training on \(leaks.count == 1 ? "it" : "them") would leak):", leaks, call: call)
        refusedList("refused \(counted(duplicates.count, "duplicate")) (exactly the same image):", duplicates, call: call)
        if !outcome.unreadable.isEmpty {
            call.write("skipped \(counted(outcome.unreadable.count, "unreadable file")):")
            for u in outcome.unreadable.prefix(10) { call.write("  \(u.path): \(u.reason)") }
            if outcome.unreadable.count > 10 { call.write("  … and \(outcome.unreadable.count - 10) more") }
        }
        if !loose.isEmpty { call.write("left out \(counted(loose.count, "file")) directly in \(dir) (no class folder)") }
        for (folder, count) in skipped.sorted(by: { $0.key < $1.key }) {
            call.write("left out \(counted(count, "image")) in \(folder)/ (undecided)")
        }
        return .none
    }

    private static func refusedList(_ heading: String, _ refused: [AddRefusal], call: CommandInvocation) {
        guard !refused.isEmpty else { return }
        call.write(heading)
        for r in refused.prefix(10) { call.write("  \(r)") }
        if refused.count > 10 { call.write("  … and \(refused.count - 10) more") }
    }

    /// The variable the dataset argument was written as ("d"), for hints.
    static func assignedDatasetName(_ call: CommandInvocation) -> String {
        guard let first = call.call.arguments.first else { return "d" }
        switch first.value.kind {
        case .name(let n): return n
        case .attribute(let base, _, _): if case .name(let n) = base.kind { return n }
        default: break
        }
        return "d"
    }

    /// The iterations of a dataset as a table: iteration, images added, refused, training images, per class, source.
    static func iterationTable(_ d: Dataset) -> Table {
        Table(columns: ["iteration", "added", "refused", "train_images", "per_class", "source"], rows: d.iterations.map { it in
            let shown = d.classes.indices.filter { it.addedPerClass[$0] > 0 }.map { "\(d.classes[$0]) \(it.addedPerClass[$0])" }
            return [.integer(it.number), .integer(it.added), .integer(it.refusedDuplicates + it.refusedLeaks), .integer(it.trainCount),
                    .string(shown.joined(separator: ", ")), .string(it.source)]
        })
    }
}
