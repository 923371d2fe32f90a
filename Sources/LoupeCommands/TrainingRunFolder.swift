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

    /// The session's next run: named by its order in the session (so a replayed session names
    /// and draws its runs the same), in folder `run-N`, or `run-N-2`, `run-N-3`… when an earlier
    /// session already left a `run-N` there (nothing is overwritten).
    /// Without `writes` (ranks other than 0) it only names the folder.
    static func create(in session: inout Session, writes: Bool = true) throws -> RunFolder {
        let workdir = session.workPath("")
        let fm = FileManager.default
        if writes { try? fm.createDirectory(atPath: workdir, withIntermediateDirectories: true) }
        let name = "\(session.nextSerial("run"))"
        var path = session.workPath("run-" + name)
        var copy = 2
        while fm.fileExists(atPath: path) { path = session.workPath("run-\(name)-\(copy)"); copy += 1 }
        if !writes { return RunFolder(name: name, path: path) }
        do { try fm.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw CommandError.failed("cannot create the run folder \(path): \(FileErrorText.describe(error, path: path)) (change it with workdir \"DIR\")")
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
            try FileWriting.write(Array(run.training.historyCSV().utf8), to: historyPath)
        } catch {
            throw CommandError.failed("cannot write the run's files in \(path): \(FileErrorText.describe(error, path: historyPath))")
        }
        do {
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
