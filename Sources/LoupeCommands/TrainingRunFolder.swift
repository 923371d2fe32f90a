import Foundation
import LoupeLang
import NeuralNet
import Plotting
import Workflow

/// The folder of one run in the work folder (`run-1`, `run-2`, …): history.csv, curves.png
/// and, with `checkpoint=true`, `last.loupe` and `best.loupe`, rewritten after every epoch.
struct RunFolder {
    /// The run's number: `RunValue.name` ("2"), the folder is `run-2`.
    let name: String
    let path: String

    /// The next unused `run-N` folder of the work folder, created.
    static func create(in session: Session) throws -> RunFolder {
        let workdir = session.workPath("")
        let fm = FileManager.default
        try? fm.createDirectory(atPath: workdir, withIntermediateDirectories: true)
        let used = ((try? fm.contentsOfDirectory(atPath: workdir)) ?? []).compactMap { name -> Int? in
            name.hasPrefix("run-") ? Int(name.dropFirst(4)) : nil
        }
        let name = "\((used.max() ?? 0) + 1)"
        let path = session.workPath("run-" + name)
        do { try fm.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw CommandError.failed("cannot create the run folder \(path): \(error.localizedDescription) (change it with workdir \"DIR\")")
        }
        return RunFolder(name: name, path: path)
    }

    var historyPath: String { path + "/history.csv" }
    var curvesPath: String { path + "/curves.png" }
    var lastCheckpoint: String { path + "/last.loupe" }
    var bestCheckpoint: String { path + "/best.loupe" }

    /// Rewrites history.csv and the curves (atomically: a reader never sees half a file).
    func writeProgress(_ run: RunValue) throws {
        do {
            try Data(run.historyCSV().utf8).write(to: URL(fileURLWithPath: historyPath), options: .atomic)
            try run.figure("curves").write(to: curvesPath)
        } catch {
            throw CommandError.failed("cannot write the run's files in \(path): \(error)")
        }
        run.historyPath = historyPath
        run.figurePath = curvesPath
    }

    /// Writes the model after an epoch (`last.loupe`), and as `best.loupe` when the epoch is the best so far.
    func writeCheckpoint(_ model: ResNet, metadata: ModelMetadata, isBest: Bool) throws {
        do {
            try ModelStore.save(model, metadata: metadata, to: lastCheckpoint)
            if isBest { try ModelStore.save(model, metadata: metadata, to: bestCheckpoint) }
        } catch {
            throw CommandError.failed("cannot write the checkpoint in \(path): \(error)")
        }
    }
}
