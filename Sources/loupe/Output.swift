import Foundation
import Glibc
import LoupeLang

/// Writing to the terminal or to pipes: results on stdout, errors and progress on stderr.
enum Output {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Progress on stderr: a bar on a terminal, plain lines otherwise, nothing when quiet.
    static func progress(quiet: Bool) -> any ProgressReporter {
        if quiet { return SilentProgress() }
        let style: ProgressRenderer.Style = stderrIsTerminal ? .bar(width: 24) : .lines
        return ProgressRenderer(style: style, write: { err($0) },
                                now: { Date().timeIntervalSinceReferenceDate })
    }
}
