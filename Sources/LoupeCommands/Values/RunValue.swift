import LoupeLang
import Workflow

/// A training run (`run = train m d`, `run = fine_tune m d`) as the language shows it: Workflow's
/// run of phases (`training`: history, best epoch, accuracy, history.csv) with its model, data,
/// folder and the command that made it.
public final class RunValue: LoupeObject {
    /// The phases, their history and what remains planned.
    public let training: MultiPhaseRun
    public let model: ModelValue
    public let data: DatasetValue
    /// A label for comparisons and reports: the run's number ("2"; its folder is `run-2`).
    public let name: String
    /// The command that made it ("train", "fine_tune").
    public var command = "train"
    /// The run folder with history.csv, the curves figure and checkpoints.
    public var folder: String?
    /// history.csv and the curves figure, rewritten after every epoch.
    public var historyPath: String?
    public var figurePath: String?
    /// Why there is no dev set, when there is none.
    public var noDevReason: String?
    /// Whether `.loupe` checkpoints are written after every epoch.
    public var writesCheckpoints = true
    /// The model's training history before this run (its records continue it).
    var priorTraining: [TrainingRecord] = []
    /// The dataset iteration the run trained on (1 as loaded, +1 per `add`), and its training
    /// images then: `add` changes the dataset later, the run keeps what it saw.
    public let dataIteration: Int
    public let trainImages: Int

    public convenience init(run: TrainingRun, model: ModelValue, data: DatasetValue, name: String) {
        self.init(training: MultiPhaseRun(run), model: model, data: data, name: name)
    }

    public init(training: MultiPhaseRun, model: ModelValue, data: DatasetValue, name: String) {
        self.training = training
        self.model = model
        self.data = data
        self.name = name
        self.dataIteration = data.dataset.iteration
        self.trainImages = (data.subset == nil ? data.dataset.indices(of: .train)?.count : nil) ?? data.dataset.count
    }

    public var kind: String { "run" }

    public var summary: String {
        let t = training, n = t.epochsRun
        var parts = ["run \(name): \(counted(n, "epoch"))"]
        if let b = t.bestEpoch, let l = t.bestLoss {
            parts.append("best \(t.hasDev ? "dev" : "train") loss \(fmt(l)) at epoch \(b)")
        }
        if let a = t.accuracy { parts.append("\(t.hasDev ? "dev" : "train") accuracy \(percent(a))") }
        if let cached = featureTimes { parts.append(cached) }
        switch t.stopReason {
        case .earlyStopped: parts.append("stopped early")
        case .interrupted:
            let at = t.run.stopPoint.map { p in p.batchesDone > 0 ? " in epoch \(n + 1) after \(p.batchesDone) of \(p.batches) batches" : " before epoch \(n + 1)" } ?? ""
            parts.append("interrupted\(at) (resume run to continue)")
        case .diverged: parts.append("stopped: the loss diverged")
        case .completed: if t.stoppedEarly { parts.append("stopped early") }
        }
        return parts.joined(separator: ", ")
    }

    /// "features 12 s (2400 extracted, 0 reused), head 1.3 s" for a run with a cached phase.
    var featureTimes: String? {
        guard let p = training.phases.first(where: { $0.run.usesCachedFeatures }), let s = p.run.featureStats else { return nil }
        return "features \(epochTime(s.seconds)) (\(s.extracted) extracted, \(s.reused) reused), \(p.phase.name) \(epochTime(p.run.trainingSeconds))"
    }

    public var attributeNames: [String] { ["epochs", "best_epoch", "best_loss", "accuracy", "history", "stopped_early", "model", "folder", "data_iteration"] }

    public func attribute(named name: String) -> Value? {
        switch name {
        case "epochs": return .integer(training.epochsRun)
        case "best_epoch": return training.bestEpoch.map { .integer($0) } ?? Value.none
        case "best_loss": return training.bestLoss.map { .number($0) } ?? Value.none
        case "accuracy": return training.accuracy.map { .number($0) } ?? Value.none
        case "history": return .table(historyTable)
        case "stopped_early": return .bool(training.stoppedEarly)
        case "model": return .object(model)
        case "folder": return folder.map { .string($0) } ?? Value.none
        case "data_iteration": return .integer(dataIteration)
        default: return nil
        }
    }

    /// `r.history`: the rows of history.csv (`MultiPhaseRun.historyCSV`), so `export r.history`
    /// writes the same file (TrainingCommandsTests checks).
    public var historyTable: Table {
        let phases = training.epochPhases, several = training.phases.count > 1
        return Table(columns: MultiPhaseRun.historyColumns + (several ? ["phase"] : []), rows: training.history.enumerated().map { i, r in
            var row: [Value] = [.integer(r.epoch), .number(r.trainLoss), .number(r.trainAccuracy),
                                r.devLoss.map { .number($0) } ?? .none, r.devAccuracy.map { .number($0) } ?? .none,
                                .number(r.learningRate), .number(r.seconds)]
            if several { row.append(.string(phases[i].name)) }
            return row
        })
    }

    public var table: Table? { historyTable }
    public var figurePaths: [String] { figurePath.map { [$0] } ?? [] }
}

extension RunValue {
    /// `help run`: the kind and the attributes it answers (KindDocTests compares them with `attributeNames`).
    public static var kindDoc: KindDoc {
        KindDoc(kind: "run", summary: "a training run (train, fine_tune)", attributes: [
            ("epochs", "epochs run so far"),
            ("best_epoch", "epoch with the lowest dev loss"),
            ("best_loss", "the lowest dev loss (train loss without a dev set)"),
            ("accuracy", "dev accuracy at the best epoch"),
            ("history", "a table: epoch, losses, accuracies, lr, seconds"),
            ("stopped_early", "whether early stopping ended it"),
            ("model", "the model it trains"),
            ("folder", "its folder: history.csv, curves.png, checkpoints"),
            ("data_iteration", "the dataset iteration it trained on (1 as loaded, +1 for each add)"),
        ])
    }
}
