import Glibc
import LoupeLang
import Synchronization

/// Ctrl-C handling shared by the REPL and the script runner.
///
/// A signal handler cannot capture context, so the state it touches lives here as immutable
/// globals of thread-safe types (atomics): the handler only stores into them, which is
/// async-signal-safe.
enum Signals {
    /// Set by Ctrl-C; commands poll it through `CommandInvocation.shouldStop()`.
    static let interruption = InterruptFlag()
    /// Ctrl-C presses since the current statement started; the third one quits at once, for
    /// commands that never reach a safe point.
    static let presses = Atomic<Int>(0)
    /// True while the line editor waits for input (Ctrl-C then clears the line instead).
    static let atPrompt = Atomic<Bool>(false)

    /// Installs the SIGINT handler, without SA_RESTART so blocking reads return EINTR.
    static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            Signals.interruption.request()
            guard !Signals.atPrompt.load(ordering: .relaxed) else { return }
            let count = Signals.presses.add(1, ordering: .relaxed).newValue
            if count >= 3 {
                let message = "\nloupe: stopped by repeated Ctrl-C\n"
                _ = message.withCString { write(STDERR_FILENO, $0, strlen($0)) }
                _exit(130)
            }
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
    }

    /// Clears the flag and the press count before a statement runs.
    static func resetForStatement() {
        interruption.clear()
        presses.store(0, ordering: .relaxed)
    }
}
