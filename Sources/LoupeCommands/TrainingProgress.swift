import LoupeLang

/// Progress for Workflow tasks that report nothing per batch but poll `shouldStop` once per
/// batch (range test, finder, overfit check): each poll is a step of the current bar.
final class PollingProgress {
    let call: CommandInvocation
    private var pending: ProgressTask?
    private var active = false
    private var step = 0

    init(_ call: CommandInvocation) { self.call = call }

    /// The next task; its bar appears at the first poll.
    func begin(_ task: ProgressTask) {
        end()
        pending = task
        step = 0
    }

    /// Counts a step and answers whether the user asked to stop.
    func poll() -> Bool {
        if let task = pending {
            if !active { call.progress.start(task); active = true }
            step += 1
            call.progress.update(ProgressUpdate(step: min(step, task.steps)))
        }
        return call.shouldStop()
    }

    /// Clears the bar (before a line is written, or at the end).
    func end() {
        if active { call.progress.finish(nil); active = false }
        pending = nil
    }
}
