import Foundation
import LoupeLang
import NeuralNet
import ONNXExport

/// Loupe's version as written into exported files (`LoupeVersion.current`).
public let loupeVersion = LoupeVersion.current

/// `export`: the session's `export` (tables as CSV) learns models (`export m "FILE.onnx"`) and
/// datasets (`export d.test "DIR" [n=N] [unlabelled]`, PNG files), by the value's kind and the
/// file's extension. Everything else goes to the table export unchanged.
extension CommandRegistry {
    mutating func registerModelExportCommand() {
        guard var spec = self["export"] else { return }
        let exportTable = spec.run
        spec.summary = "write a table (or a value with a table view) as CSV, a model as ONNX, or a dataset's images as PNG files"
        spec.parameters = [.positional("value", .any, help: "a table, a value such as predictions, a model (to a .onnx file) or a dataset or split (to a folder)"),
                           .positional("file", .string, help: "the CSV file to write, FILE.onnx for a model, or a folder for a dataset's images"),
                           .option("n", .integer, help: "a dataset: export only this many images, a seeded stratified choice (the same for the same seed and n)"),
                           .flag("unlabelled", help: "a dataset: all images in one folder, without class folders (new images to predict on)")]
        spec.result = "nothing"
        spec.example = "export d.test \"incoming/\" n=300 unlabelled"
        spec.run = { invocation in
            let value = invocation.arguments["value"] ?? .none
            let path = try invocation.arguments.string("file")
            let ext = (path as NSString).pathExtension.lowercased()
            let isONNX = ext == "onnx"
            if case .object(let object) = value, let d = object as? DatasetValue, ext != "csv" {
                return try DatasetExport.export(d, to: path, invocation)
            }
            for option in ["n", "unlabelled"] where invocation.arguments.isGiven(option) {
                throw CommandError.invalidArgument(parameter: option, message: "\(option) applies to a dataset's images written to a folder, not to \(value.kindWithArticle)"
                                                   + (ext == "csv" ? " written as CSV" : ""))
            }
            if case .object(let object) = value, let m = object as? ModelValue {
                guard isONNX else {
                    throw CommandError.invalidArgument(parameter: "file", message: "a model exports to ONNX: give a file ending in .onnx (save m \"FILE.loupe\" writes Loupe's own format)")
                }
                return try exportONNX(m, to: path, invocation)
            }
            if isONNX {
                throw CommandError.invalidArgument(parameter: "value", message: "only a model exports to ONNX, not \(value.kindWithArticle)")
            }
            return try exportTable(invocation)
        }
        register(spec)
    }
}

func exportONNX(_ m: ModelValue, to path: String, _ invocation: CommandInvocation) throws -> Value {
    let folder = (path as NSString).deletingLastPathComponent
    let info = ONNXExporter.Info(loupeVersion: loupeVersion, trainingSummary: trainingSummary(m.trainingRecords))
    let bytes: Int
    guard invocation.writesFiles else { return .none }
    if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
    do { bytes = try ONNXExporter.export(m.model, metadata: m.metadata, info: info, to: path) } catch {
        throw CommandError.invalidArgument(parameter: "file", message: "\(error)")
    }
    let c = m.model.config
    invocation.write("exported \(c.name) version \(m.metadata.version) to \(path) (ONNX opset \(ONNXExporter.opsetVersion), "
        + "\(ONNXExportError.readable(bytes)); input pixels [N, \(c.inputChannels), \(m.metadata.inputHeight), \(m.metadata.inputWidth)] on 0…1)")
    return .none
}

/// One line per training session: "train on data/flowers: 12 epochs (earlyStopped), dev accuracy 93.1%".
func trainingSummary(_ records: [TrainingRecord]) -> String? {
    guard !records.isEmpty else { return nil }
    return records.map { r in
        var s = "\(r.command) on \(r.dataset): \(counted(r.history.count, "epoch")) (\(r.stopReason.rawValue))"
        if let last = r.history.last {
            s += String(format: ", train loss %.4f", last.trainLoss)
            if let a = last.devAccuracy { s += String(format: ", dev accuracy %.1f%%", a * 100) }
        }
        return s
    }.joined(separator: "\n")
}
