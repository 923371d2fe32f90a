/// A long task as a command announces it: what it is and how many steps it has.
public struct ProgressTask: Sendable, Equatable {
    public var title: String
    /// Epochs, for training-like tasks; `nil` for a single pass.
    public var epochs: Int?
    /// Steps per epoch (batches), or in total when there are no epochs.
    public var steps: Int
    /// What a step is called in the rendering ("batch"); empty to leave step counts out.
    public var unit: String

    public init(title: String, epochs: Int? = nil, steps: Int, unit: String = "batch") {
        self.title = title
        self.epochs = epochs
        self.steps = steps
        self.unit = unit
    }
}

/// Where a task stands.
public struct ProgressUpdate: Sendable, Equatable {
    /// 1-based epoch, when the task has epochs.
    public var epoch: Int?
    /// Steps done in the current epoch (or in total).
    public var step: Int
    public var loss: Double?
    /// A short extra, e.g. "dev acc 91.2%".
    public var note: String?

    public init(epoch: Int? = nil, step: Int, loss: Double? = nil, note: String? = nil) {
        self.epoch = epoch
        self.step = step
        self.loss = loss
        self.note = note
    }
}

/// Receives progress from commands; the front end renders it (a bar on a terminal, plain
/// lines otherwise, nothing with `--quiet`).
public protocol ProgressReporter: AnyObject {
    func start(_ task: ProgressTask)
    func update(_ update: ProgressUpdate)
    /// The task ended (finished, failed or interrupted); `summary` is one closing line.
    func finish(_ summary: String?)
}

/// Drops all progress (`--quiet`, tests).
public final class SilentProgress: ProgressReporter {
    public init() {}
    public func start(_ task: ProgressTask) {}
    public func update(_ update: ProgressUpdate) {}
    public func finish(_ summary: String?) {}
}
