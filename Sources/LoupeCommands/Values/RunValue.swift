import LoupeLang
import Workflow

/// One step of a run: `train` has one, `fine_tune` two (head on a frozen backbone, then all).
public struct RunPhase {
    /// "train", "head", "all".
    public let label: String
    public let run: TrainingRun
}

/// A training run (`run = train m d`): its model, data, options and history.
///
/// A fine-tuning run has two phases; `history` numbers their epochs one after the other.
public final class RunValue: LoupeObject {
    public private(set) var phases: [RunPhase]
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
    /// A fine-tune's second step when Ctrl-C stopped the first: `resume` begins it.
    var pendingPhase: PendingPhase?

    public convenience init(run: TrainingRun, model: ModelValue, data: DatasetValue, name: String) {
        self.init(phases: [RunPhase(label: "train", run: run)], model: model, data: data, name: name)
    }

    public init(phases: [RunPhase], model: ModelValue, data: DatasetValue, name: String) {
        precondition(!phases.isEmpty, "a run has at least one phase")
        self.phases = phases
        self.model = model
        self.data = data
        self.name = name
        self.dataIteration = data.dataset.iteration
        self.trainImages = (data.subset == nil ? data.dataset.indices(of: .train)?.count : nil) ?? data.dataset.count
    }

    func append(_ phase: RunPhase) { phases.append(phase) }

    /// The phase that trains now (or trained last).
    public var run: TrainingRun { phases.last!.run }

    /// Every epoch of every phase, numbered from 1 across phases.
    public var history: [EpochRecord] {
        var out: [EpochRecord] = []
        for p in phases {
            let offset = out.count
            out += p.run.history.map { var r = $0; r.epoch += offset; return r }
        }
        return out
    }

    /// The phase label of each epoch of `history`.
    public var epochPhases: [String] { phases.flatMap { p in Array(repeating: p.label, count: p.run.epochsRun) } }

    public var epochsRun: Int { phases.reduce(0) { $0 + $1.run.epochsRun } }
    public var hasDev: Bool { history.contains { $0.devLoss != nil } }

    /// Epoch (across phases) with the lowest dev loss (train loss without a dev set).
    public var bestEpoch: Int? {
        var best: (Int, Double)?, offset = 0
        for p in phases {
            if let e = p.run.bestEpoch, let l = p.run.bestLoss, l.isFinite, best == nil || l < best!.1 { best = (offset + e, l) }
            offset += p.run.epochsRun
        }
        return best?.0
    }

    public var bestLoss: Double? { phases.compactMap(\.run.bestLoss).filter(\.isFinite).min() }

    /// Dev accuracy at the best epoch (train accuracy without a dev set).
    public var accuracy: Double? {
        let h = history
        if let b = bestEpoch, let r = h.first(where: { $0.epoch == b }) { return r.devAccuracy ?? r.trainAccuracy }
        return h.last.map { $0.devAccuracy ?? $0.trainAccuracy }
    }

    public var stopReason: StopReason { run.stopReason }
    public var stoppedEarly: Bool { phases.contains { $0.run.stoppedEarly } }

    public var kind: String { "run" }

    public var summary: String {
        let n = epochsRun
        var parts = ["run \(name): \(counted(n, "epoch"))"]
        if let b = bestEpoch, let l = bestLoss {
            parts.append("best \(hasDev ? "dev" : "train") loss \(fmt(l)) at epoch \(b)")
        }
        if let a = accuracy { parts.append("\(hasDev ? "dev" : "train") accuracy \(percent(a))") }
        if let cached = featureTimes { parts.append(cached) }
        switch stopReason {
        case .earlyStopped: parts.append("stopped early")
        case .interrupted:
            let at = run.stopPoint.map { p in p.batchesDone > 0 ? " in epoch \(n + 1) after \(p.batchesDone) of \(p.batches) batches" : " before epoch \(n + 1)" } ?? ""
            parts.append("interrupted\(at) (resume run to continue)")
        case .diverged: parts.append("stopped: the loss diverged")
        case .completed: if stoppedEarly { parts.append("stopped early") }
        }
        return parts.joined(separator: ", ")
    }

    /// "features 12 s (2400 extracted, 0 reused), head 1.3 s" for a run with a cached phase.
    var featureTimes: String? {
        guard let p = phases.first(where: { $0.run.usesCachedFeatures }), let s = p.run.featureStats else { return nil }
        return "features \(epochTime(s.seconds)) (\(s.extracted) extracted, \(s.reused) reused), \(p.label) \(epochTime(p.run.trainingSeconds))"
    }

    public var attributeNames: [String] { ["epochs", "best_epoch", "best_loss", "accuracy", "history", "stopped_early", "model", "folder", "data_iteration"] }

    public func attribute(named name: String) -> Value? {
        switch name {
        case "epochs": return .integer(epochsRun)
        case "best_epoch": return bestEpoch.map { .integer($0) } ?? Value.none
        case "best_loss": return bestLoss.map { .number($0) } ?? Value.none
        case "accuracy": return accuracy.map { .number($0) } ?? Value.none
        case "history": return .table(historyTable)
        case "stopped_early": return .bool(stoppedEarly)
        case "model": return .object(model)
        case "folder": return folder.map { .string($0) } ?? Value.none
        case "data_iteration": return .integer(dataIteration)
        default: return nil
        }
    }

    public var historyTable: Table {
        let labels = epochPhases
        var columns = RunValue.historyColumns
        if phases.count > 1 { columns.append("phase") }
        return Table(columns: columns, rows: history.enumerated().map { i, r in
            var row: [Value] = [.integer(r.epoch), .number(r.trainLoss), .number(r.trainAccuracy),
                                r.devLoss.map { .number($0) } ?? .none, r.devAccuracy.map { .number($0) } ?? .none,
                                .number(r.learningRate), .number(r.seconds)]
            if phases.count > 1 { row.append(.string(labels[i])) }
            return row
        })
    }

    /// The columns of `r.history`, of history.csv and of a notebook's epoch rows.
    static let historyColumns = ["epoch", "train_loss", "train_accuracy", "dev_loss", "dev_accuracy", "lr", "seconds"]

    /// history.csv: `r.history` at full precision, so `export r.history` writes the same file.
    public func historyCSV() -> String { historyTable.csv() }

    public var table: Table? { historyTable }
    public var figurePaths: [String] { figurePath.map { [$0] } ?? [] }
}

/// Renders workflow training events through the language's progress reporter: one bar per
/// epoch (cleared before the epoch's line is written, so bar and lines never mix), and a line
/// per epoch on the command's output.
final class TrainingProgressBridge {
    let reporter: any ProgressReporter
    let title: String
    /// Added to the run's epoch numbers (a fine-tune's second phase continues the count).
    let epochOffset: Int
    private var active = false

    init(_ reporter: any ProgressReporter, title: String, epochOffset: Int = 0) {
        self.reporter = reporter
        self.title = title
        self.epochOffset = epochOffset
    }

    func handle(_ event: TrainingEvent, call: CommandInvocation) {
        switch event {
        case .epochStarted(let epoch, let of, let batches):
            reporter.start(ProgressTask(title: "\(title) epoch \(epoch + epochOffset)/\(of + epochOffset)", steps: batches))
            active = true
        case .batch(_, let batch, _, let loss, _):
            reporter.update(ProgressUpdate(step: batch, loss: loss))
        case .epochEnded(let r):
            finish(nil)
            var line = "epoch \(r.epoch + epochOffset): train loss \(fmt(r.trainLoss)), acc \(percent(r.trainAccuracy))"
            if let d = r.devLoss, let a = r.devAccuracy { line += "; dev loss \(fmt(d)), acc \(percent(a))" }
            line += "; lr \(short(r.learningRate)) (\(epochTime(r.seconds)))"
            let devLoss: Value = r.devLoss.map { .number($0) } ?? .none
            let devAccuracy: Value = r.devAccuracy.map { .number($0) } ?? .none
            call.show(.row(ProgressRow(title: title, columns: RunValue.historyColumns,
                                       values: [.integer(r.epoch + epochOffset), .number(r.trainLoss), .number(r.trainAccuracy),
                                                devLoss, devAccuracy, .number(r.learningRate), .number((r.seconds * 10).rounded() / 10)],
                                       line: line)))
        case .note(let text):
            finish(nil)
            call.write(text)
        case .diverged(let what, let rate):
            finish(nil)
            call.write(divergedAdvice(what, suggestedRate: rate))
        }
    }

    func finish(_ summary: String?) {
        if active { reporter.finish(summary); active = false }
    }
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
