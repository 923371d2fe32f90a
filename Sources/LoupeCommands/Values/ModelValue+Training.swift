import Foundation
import NeuralNet
import Datasets
import Workflow

/// One training session of a model, as its `.loupe` file records it (`metadata.training`).
public struct TrainingRecord: Codable, Sendable, Equatable {
    /// "train", "fine_tune (head)", "fine_tune (all)", "resume".
    public var command: String
    public var dataset: String
    public var options: TrainingOptions
    public var history: [EpochRecord]
    public var stopReason: StopReason
    /// The dataset iteration trained on (1 as loaded, +1 per `add`); absent in older files.
    public var datasetIteration: Int?
}

extension ModelValue {
    /// The training sessions recorded so far, oldest first (decoded from the metadata's JSON).
    public var trainingRecords: [TrainingRecord] {
        guard let json = metadata.training, let records = try? JSONDecoder().decode([TrainingRecord].self, from: Data(json.utf8)) else { return [] }
        return records
    }
}

/// A short fingerprint of a dataset's classes and samples (FNV-1a over names and labels), so a
/// saved model says which data it was trained on.
func datasetFingerprint(_ d: Dataset) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    func mix(_ s: String) { for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 } }
    for c in d.classes { mix(c); mix("\u{1}") }
    for s in d.samples { mix(s.name); mix("\(s.label ?? -1)\u{2}") }
    return String(format: "fnv1a64:%016llx:%d", h, d.count)
}

extension RunValue {
    /// The model's history: what it had before this run, then this run's phases.
    func trainingRecords() -> [TrainingRecord] {
        priorTraining + training.phases.map { p in
            TrainingRecord(command: p.phase == .train ? command : "\(command) (\(p.phase.name))", dataset: data.dataset.path,
                           options: p.run.options, history: p.run.history, stopReason: p.run.stopReason, datasetIteration: dataIteration)
        }
    }

    /// The model's metadata with this run's history and the dataset's classes and fingerprint.
    func modelMetadata() -> ModelMetadata {
        var metadata = model.metadata
        metadata.classNames = data.dataset.classes
        metadata.datasetFingerprint = datasetFingerprint(data.dataset)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        if let json = try? encoder.encode(trainingRecords()) { metadata.training = String(decoding: json, as: UTF8.self) }
        return metadata
    }
}
