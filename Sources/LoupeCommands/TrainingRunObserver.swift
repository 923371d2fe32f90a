import LoupeLang
import NeuralNet
import Workflow

/// A run's training as a command shows it and files it (the `PhaseObserver` of
/// `MultiPhaseRun.train`): a progress bridge per phase, the line that begins a fine-tune's second
/// step, and the run folder rewritten after every epoch.
final class RunTrainingObserver: PhaseObserver {
    let value: RunValue
    let call: CommandInvocation
    /// The progress title of the phase the command continues ("train", "head", "resume"); a phase
    /// it begins is titled by its name ("all").
    let title: String
    private var bridge: TrainingProgressBridge?

    init(_ value: RunValue, call: CommandInvocation, title: String) {
        self.value = value
        self.call = call
        self.title = title
    }

    func phaseWillTrain(_ phase: RunPhase, epochOffset: Int, begun: Bool) {
        if begun { call.write(stepIntroduction(phase.phase) + describe(phase.run, phase: phase.phase, model: value.model)) }
        bridge = TrainingProgressBridge(call.progress, title: begun ? phase.phase.name : title, epochOffset: epochOffset)
    }

    func handle(_ event: TrainingEvent) { bridge?.handle(event, call: call) }

    func phaseDidTrain(_ phase: RunPhase) {
        bridge?.finish(nil)
        bridge = nil
    }

    func epochEnded(_ model: ResNet, epoch: Int) throws {
        guard call.writesFiles, let path = value.folder else { return }
        let folder = RunFolder(name: value.name, path: path)
        try folder.writeProgress(value)
        call.showFigure(folder.curvesPath, title: "loss and accuracy of run \(value.name)", id: "curves-\(value.name)")
        if value.writesCheckpoints {
            try folder.writeCheckpoint(model, metadata: value.modelMetadata(), isBest: value.training.bestEpoch == value.training.epochsRun)
        }
    }
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
            call.show(.row(ProgressRow(title: title, columns: MultiPhaseRun.historyColumns,
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

