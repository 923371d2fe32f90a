@preconcurrency import CReadline
import Glibc
import LoupeLang
import Synchronization

/// What one prompt produced.
enum LineEvent: Sendable, Equatable {
    case line(String)
    /// Ctrl-C at the prompt: the half-typed line is dropped.
    case cancelled
    /// Ctrl-D on an empty line, or the terminal went away.
    case endOfInput
}

/// The completer the Tab key uses; swapped for a fresh one before every prompt.
///
/// `@unchecked Sendable`: readline calls the completion callback synchronously inside
/// `rl_callback_read_char`, on the thread that also replaces the source, never concurrently.
final class CompletionSource: @unchecked Sendable {
    let completer: Completer
    init(_ completer: Completer) { self.completer = completer }
}

// readline's C callbacks cannot capture context, so the little state they share with the
// editor lives in these two locks (immutable globals of Sendable types).
private let pendingLine = Mutex<LineEvent?>(nil)
private let completionSource = Mutex<CompletionSource?>(nil)

/// GNU readline through its callback interface (as CPython uses it), so that Ctrl-C at the
/// prompt can drop the line instead of keeping it for the next Enter.
final class LineEditor {
    private let historyPath: String
    static let historyLimit: Int32 = 1000

    init(historyPath: String) {
        self.historyPath = historyPath
        rl_readline_name = UnsafePointer(strdup("loupe"))
        // Signals stay ours: the SIGINT handler only sets a flag, and the poll loop reacts.
        rl_catch_signals = 0
        rl_completer_word_break_characters = UnsafePointer(strdup(Completer.wordBreakCharacters))
        rl_completer_quote_characters = UnsafePointer(strdup("\""))
        rl_attempted_completion_function = attemptCompletion
        using_history()
        stifle_history(LineEditor.historyLimit)
        _ = read_history(historyPath)
    }

    /// The completer for the next prompt (it sees the session as it is now).
    func setCompleter(_ completer: Completer) {
        let source = CompletionSource(completer)
        completionSource.withLock { $0 = source }
    }

    /// Shows `prompt` and edits one line until Enter, Ctrl-C or Ctrl-D.
    func read(prompt: String) -> LineEvent {
        pendingLine.withLock { $0 = nil }
        Signals.interruption.clear()
        Signals.atPrompt.store(true, ordering: .relaxed)
        defer { Signals.atPrompt.store(false, ordering: .relaxed) }
        rl_callback_handler_install(prompt, lineHandler)
        while true {
            var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, -1)
            if Signals.interruption.isRequested {
                Signals.interruption.clear()
                // Like bash: show ^C after the text, keep it on screen, start a fresh line.
                rl_point = rl_end
                rl_redisplay()
                fflush(rl_outstream ?? stdout)
                Output.out("^C\n")
                rl_free_line_state()
                rl_callback_sigcleanup()
                rl_cleanup_after_signal()
                rl_callback_handler_remove()
                return .cancelled
            }
            if ready < 0 {
                if errno == EINTR { continue }
                rl_callback_handler_remove()
                return .endOfInput
            }
            if descriptor.revents & Int16(POLLIN | POLLHUP) != 0 {
                rl_callback_read_char()
            } else if descriptor.revents & Int16(POLLERR | POLLNVAL) != 0 {
                rl_callback_handler_remove()
                return .endOfInput
            }
            if let event = pendingLine.withLock({ $0 }) { return event }
        }
    }

    /// Adds a statement to the history and appends it to the history file at once, so
    /// several sessions running side by side all keep theirs.
    func remember(_ entry: String) {
        add_history(entry)
        if append_history(1, historyPath) != 0 {
            _ = write_history(historyPath)
        }
    }

    func close() {
        _ = history_truncate_file(historyPath, LineEditor.historyLimit)
    }
}

/// Called by readline with the finished line (`nil` for Ctrl-D on an empty line).
private func lineHandler(_ line: UnsafeMutablePointer<CChar>?) {
    // Removing the handler here stops readline from showing the prompt again.
    rl_callback_handler_remove()
    let event: LineEvent
    if let line {
        event = .line(String(cString: line))
        free(line)
    } else {
        event = .endOfInput
    }
    pendingLine.withLock { $0 = event }
}

/// readline's completion hook: asks the `Completer` with the text before the word.
private func attemptCompletion(_ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32)
    -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    rl_attempted_completion_over = 1
    guard let text, let buffer = rl_line_buffer,
          let source = completionSource.withLock({ $0 }) else { return nil }
    let lineBytes = Array(String(cString: buffer).utf8)
    let before = String(decoding: lineBytes.prefix(Int(start)), as: UTF8.self)
    let result = source.completer.complete(before: before, word: String(cString: text))
    guard !result.candidates.isEmpty else { return nil }
    rl_completion_append_character = result.appendSpace ? 32 : 0
    // readline closes an open quote after a single match; a folder keeps it open for more.
    rl_completion_suppress_quote = result.closesString ? 0 : 1
    // readline wants [common prefix, match…, NULL], allocated with malloc; it frees them.
    let matches = result.candidates
    let count = matches.count == 1 ? 2 : matches.count + 2
    let stride = MemoryLayout<UnsafeMutablePointer<CChar>?>.stride
    guard let raw = malloc(count * stride) else { return nil }
    let array = raw.bindMemory(to: UnsafeMutablePointer<CChar>?.self, capacity: count)
    array[0] = strdup(matches.count == 1 ? matches[0] : commonPrefix(matches))
    if matches.count > 1 {
        for (i, match) in matches.enumerated() { array[i + 1] = strdup(match) }
    }
    array[count - 1] = nil
    return array
}

private func commonPrefix(_ words: [String]) -> String {
    guard var prefix = words.first else { return "" }
    for word in words.dropFirst() {
        while !word.hasPrefix(prefix) { prefix.removeLast() }
    }
    return prefix
}
