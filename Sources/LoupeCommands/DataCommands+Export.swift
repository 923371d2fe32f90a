import Foundation
import LoupeLang
import Datasets
import Workflow

/// `export d.test "DIR" [n=N] [unlabelled]`: a dataset's images as PNG files, per class or flat.
enum DatasetExport {
    static func export(_ d: DatasetValue, to dir: String, _ call: CommandInvocation) throws -> Value {
        guard !dir.isEmpty else { throw CommandError.invalidArgument(parameter: "file", message: "give a folder to write the images into") }
        if (dir as NSString).pathExtension.lowercased() == "onnx" {
            throw CommandError.invalidArgument(parameter: "value", message: "only a model exports to ONNX, not a dataset (a dataset exports to a folder of PNG files)")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw CommandError.invalidArgument(parameter: "file", message: "'\(dir)' is a file; a dataset's images go into a folder")
        }
        let data = d.dataset
        guard data.count > 0 else { throw CommandError.invalidArgument(parameter: "value", message: "the dataset has no images to export") }
        var n: Int?
        if call.arguments.isGiven("n") {
            let asked = try call.arguments.integer("n")
            guard asked >= 1 else { throw CommandError.invalidArgument(parameter: "n", message: "export at least 1 image, not \(asked)") }
            if asked > data.count { call.write("note: n=\(asked) but the \(name(d)) has \(data.count) images: all are exported") }
            n = asked
        }
        let labelled = !(try call.arguments.bool("unlabelled"))
        let chosen = data.stratifiedChoice(n, seed: DataCommands.seed(call.session, for: .export))
        let plan = data.exportPlan(chosen, labelled: labelled, stem: DataCommands.fileStem(data, subset: d.subset), classFolder: classFolderName)
        // Under mpirun only rank 0 writes (the others wait for it at the end of the statement).
        guard call.writesFiles else { return .none }
        let before = (try? FileManager.default.contentsOfDirectory(atPath: dir))?.filter { !$0.hasPrefix(".") } ?? []
        try DataCommands.makeFolder(dir, parameter: "file")
        call.progress.start(ProgressTask(title: "export \(name(d)) to \(dir)", steps: plan.count, unit: "image"))
        let result = data.writePNGs(plan, into: dir, shouldStop: call.shouldStop) { done in call.progress.update(ProgressUpdate(step: done)) }
        call.progress.finish(nil)
        let written = plan.count - result.failed.count
        var line = "exported \(counted(written, "image")) of the \(name(d)) to \(dir) as PNG"
        if labelled {
            var perClass = [Int](repeating: 0, count: data.classes.count), flat = 0
            for i in chosen { if let l = data.samples[i].label { perClass[l] += 1 } else { flat += 1 } }
            let shown = data.classes.indices.filter { perClass[$0] > 0 }.map { "\(data.classes[$0]) \(perClass[$0])" }
            line += ", one folder per class (\(DataCommands.listing(shown, limit: 10)))" + (flat > 0 ? ", \(flat) unlabelled at the top" : "")
        } else {
            line += ", in one folder without labels"
        }
        call.write(line)
        if !before.isEmpty {
            call.write("note: \(dir) already held \(before.count) entr\(before.count == 1 ? "y" : "ies"); files of the same name were replaced, the others left as they were")
        }
        if !result.failed.isEmpty {
            call.write("could not write \(counted(result.failed.count, "image")):")
            for f in result.failed.prefix(10) { call.write("  \(f.path): \(f.reason)") }
        }
        if result.stopped { throw CommandError.interrupted }
        return .none
    }

    /// "test split of fashion-mnist", "dataset fashion-mnist".
    static func name(_ d: DatasetValue) -> String {
        let stem = DataCommands.fileStem(d.dataset)
        return d.subset.map { "\($0.rawValue) split of \(stem)" } ?? "dataset \(stem)"
    }
}
