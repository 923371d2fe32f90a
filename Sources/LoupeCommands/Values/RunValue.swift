import LoupeLang
import Workflow

/// A training run (`run = train m d`): its model, data, options and history.
public final class RunValue: LoupeObject {
    public let run: TrainingRun
    public let model: ModelValue
    public let data: DatasetValue
    /// A label for comparisons and reports ("run 2: resnet20, lr 0.01").
    public let name: String
    /// history.csv and the curves figure, rewritten after every epoch.
    public var historyPath: String?
    public var figurePath: String?

    public init(run: TrainingRun, model: ModelValue, data: DatasetValue, name: String) {
        self.run = run
        self.model = model
        self.data = data
        self.name = name
    }

    public var kind: String { "run" }

    public var summary: String {
        var parts = ["run \(name): \(run.epochsRun) epoch\(run.epochsRun == 1 ? "" : "s")"]
        if let b = run.bestEpoch, let l = run.bestLoss {
            parts.append("best \(run.dev == nil ? "train" : "dev") loss \(fmt(l)) at epoch \(b)")
        }
        if let a = run.accuracy { parts.append("accuracy \(percent(a))") }
        switch run.stopReason {
        case .earlyStopped: parts.append("stopped early")
        case .interrupted: parts.append("interrupted (resume run to continue)")
        case .diverged: parts.append("stopped: the loss diverged")
        case .completed: break
        }
        return parts.joined(separator: ", ")
    }

    public var attributeNames: [String] { ["epochs", "best_epoch", "best_loss", "accuracy", "history", "stopped_early", "model"] }

    public func attribute(named name: String) -> Value? {
        switch name {
        case "epochs": return .integer(run.epochsRun)
        case "best_epoch": return run.bestEpoch.map { .integer($0) } ?? Value.none
        case "best_loss": return run.bestLoss.map { .number($0) } ?? Value.none
        case "accuracy": return run.accuracy.map { .number($0) } ?? Value.none
        case "history": return .table(historyTable)
        case "stopped_early": return .bool(run.stoppedEarly)
        case "model": return .object(model)
        default: return nil
        }
    }

    public var historyTable: Table {
        Table(columns: ["epoch", "train_loss", "train_acc", "dev_loss", "dev_acc", "lr", "seconds"], rows: run.history.map { r in
            [.integer(r.epoch), .number(round4(r.trainLoss)), .number(round4(r.trainAccuracy)),
             r.devLoss.map { .number(round4($0)) } ?? .none, r.devAccuracy.map { .number(round4($0)) } ?? .none,
             .number(r.learningRate), .number((r.seconds * 10).rounded() / 10)]
        })
    }

    public var table: Table? { historyTable }
    public var figurePaths: [String] { figurePath.map { [$0] } ?? [] }
}

func round4(_ v: Double) -> Double { (v * 10_000).rounded() / 10_000 }
func fmt(_ v: Double) -> String { v.isFinite ? String(round4(v)) : "\(v)" }
func percent(_ v: Double) -> String { "\(Double(Int((v * 1000).rounded())) / 10)%" }

/// Renders workflow training events through the language's progress reporter.
final class TrainingProgressBridge {
    let reporter: any ProgressReporter
    let title: String
    private var started = false

    init(_ reporter: any ProgressReporter, title: String) {
        self.reporter = reporter
        self.title = title
    }

    func handle(_ event: TrainingEvent, write: (String) -> Void) {
        switch event {
        case .epochStarted(_, let of, let batches):
            if !started { reporter.start(ProgressTask(title: title, epochs: of, steps: batches)); started = true }
        case .batch(let epoch, let batch, _, let loss, _):
            reporter.update(ProgressUpdate(epoch: epoch, step: batch, loss: loss))
        case .epochEnded(let r):
            var line = "epoch \(r.epoch): train loss \(fmt(r.trainLoss)), acc \(percent(r.trainAccuracy))"
            if let d = r.devLoss, let a = r.devAccuracy { line += "; dev loss \(fmt(d)), acc \(percent(a))" }
            line += " (\(Int(r.seconds.rounded())) s)"
            reporter.update(ProgressUpdate(epoch: r.epoch, step: 0, loss: r.trainLoss, note: r.devAccuracy.map { "dev acc \(percent($0))" }))
            write(line)
        case .note(let text):
            write(text)
        }
    }

    func finish(_ summary: String?) { if started { reporter.finish(summary) } }
}
