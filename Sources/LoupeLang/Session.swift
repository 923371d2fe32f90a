/// The state of one Loupe session: variables, seed, work folder, history and `_`.
///
/// A value: the interpreter runs each statement on a copy and keeps the copy only when the
/// statement succeeds, so a failing statement changes nothing.
public struct Session {
    /// The seed a new session starts with; `--seed` and `seed N` change it.
    public static let defaultSeed: UInt64 = 0
    /// Where figures, reports and checkpoints go when no path is given.
    public static let defaultWorkdir = "loupe-out/"

    public var variables: [String: Value] = [:]
    /// Seeds every random draw; commands derive their generators with `nextRandomStream()`.
    public var seed: UInt64 {
        didSet { randomStreamsUsed = 0 }
    }
    public var workdir: String
    /// Statements that succeeded, in order.
    public var history: [HistoryEntry] = []
    /// The last result of an expression or command (`_`).
    public var lastResult: Value?
    /// Set by `quit`; the front end stops reading.
    public var quitRequested = false
    /// How many generator streams commands have taken since the seed was set.
    public private(set) var randomStreamsUsed: UInt64 = 0
    /// Counters of things a session numbers (runs, …), so names follow the session, not the disk.
    public private(set) var serials: [String: Int] = [:]

    /// The next number of `kind` in this session: 1, 2, 3… A replayed session numbers the same.
    public mutating func nextSerial(_ kind: String) -> Int {
        let n = (serials[kind] ?? 0) + 1
        serials[kind] = n
        return n
    }
    /// The seed and work folder the session started with, written first by `save_session`.
    public let initialSeed: UInt64
    public let initialWorkdir: String

    public init(seed: UInt64 = Session.defaultSeed, workdir: String = Session.defaultWorkdir) {
        self.seed = seed
        self.workdir = workdir
        self.initialSeed = seed
        self.initialWorkdir = workdir
    }

    /// A fresh stream number for a seeded generator (`SeededGenerator(seed: s.seed, stream: n)`),
    /// so that each random command draws from its own reproducible sequence.
    public mutating func nextRandomStream() -> UInt64 {
        randomStreamsUsed += 1
        return randomStreamsUsed
    }

    /// A path inside the work folder for a file a command writes when no path was given.
    public func workPath(_ fileName: String) -> String {
        workdir.hasSuffix("/") ? workdir + fileName : workdir + "/" + fileName
    }

    /// The variable, or `_` for the last result.
    public func value(of name: String) -> Value? {
        if name == "_" { return lastResult }
        return variables[name]
    }

    /// The script `save_session` writes: the starting seed (and work folder when not the
    /// default), then every statement that succeeded, so that running it replays the session.
    public func replayScript() -> String {
        var lines = ["# Loupe session", "seed \(initialSeed)"]
        if initialWorkdir != Session.defaultWorkdir {
            lines.append("workdir " + Value.string(initialWorkdir).literal)
        }
        lines += history.map(\.replay)
        return lines.joined(separator: "\n") + "\n"
    }
}

/// One statement in the history: as typed, and as it replays in a script.
public struct HistoryEntry: Sendable, Equatable {
    /// The statement as typed.
    public var text: String
    /// The statement as `save_session` writes it: an expression the REPL showed becomes
    /// `print EXPRESSION` so the replay prints the same; `time X` becomes `X`.
    public var replay: String

    public init(text: String, replay: String) {
        self.text = text
        self.replay = replay
    }
}
