/// Renders progress as text: one redrawn bar line on a terminal, or plain lines for logs.
///
/// It writes through a closure (the front end sends it to stderr, so that stdout carries
/// only results and stays identical between runs) and reads time through another (tests).
public final class ProgressRenderer: ProgressReporter {
    public enum Style: Sendable {
        /// A bar redrawn in place with `\r`, `width` characters of bar.
        case bar(width: Int)
        /// A line per epoch (or per tenth of a task without epochs).
        case lines
    }

    private let style: Style
    private let write: (String) -> Void
    private let now: () -> Double
    private var task: ProgressTask?
    private var startTime = 0.0
    private var lastDraw = -1.0
    private var lastTenth = 0
    private var lastEpochLogged = 0
    private var drewBar = false

    /// - Parameters:
    ///   - write: receives text exactly as it should appear (no newline added).
    ///   - now: seconds from any fixed origin.
    public init(style: Style, write: @escaping (String) -> Void, now: @escaping () -> Double) {
        self.style = style
        self.write = write
        self.now = now
    }

    public func start(_ task: ProgressTask) {
        self.task = task
        startTime = now()
        lastDraw = -1
        lastTenth = 0
        lastEpochLogged = 0
        drewBar = false
    }

    public func update(_ update: ProgressUpdate) {
        guard let task else { return }
        let total = Double(max(1, (task.epochs ?? 1) * task.steps))
        let done = Double(((update.epoch ?? 1) - 1) * task.steps + update.step)
        let fraction = min(1, max(0, done / total))
        let elapsed = now() - startTime
        switch style {
        case .bar(let width):
            // Redrawing more than ~20 times a second costs time and shows nothing more.
            guard elapsed - lastDraw >= 0.05 || fraction >= 1 else { return }
            lastDraw = elapsed
            let filled = Swift.min(width, Swift.max(0, Int(saturating: (fraction * Double(width)).rounded(.down))))
            var line = "\r\(task.title) [" + String(repeating: "#", count: filled)
                + String(repeating: ".", count: width - filled) + "] \(Int(fraction * 100))%"
            line += details(task, update)
            if fraction > 0, fraction < 1 {
                line += "  ETA " + ProgressRenderer.clock(elapsed * (1 - fraction) / fraction)
            }
            write(line + "\u{1B}[K")
            drewBar = true
        case .lines:
            if let epochs = task.epochs, let epoch = update.epoch {
                if update.step >= task.steps, epoch > lastEpochLogged {
                    lastEpochLogged = epoch
                    var line = "\(task.title): epoch \(epoch)/\(epochs)"
                    if let loss = update.loss { line += "  loss \(ProgressRenderer.fixed(loss, 4))" }
                    if let note = update.note { line += "  \(note)" }
                    write(line + "  (" + ProgressRenderer.clock(elapsed) + ")\n")
                }
            } else {
                let tenth = Int(fraction * 10)
                if tenth > lastTenth {
                    lastTenth = tenth
                    write("\(task.title): \(tenth * 10)%" + details(task, update) + "\n")
                }
            }
        }
    }

    public func finish(_ summary: String?) {
        guard let task else { return }
        if drewBar { write("\r\u{1B}[K") }
        if let summary { write("\(task.title): \(summary)\n") }
        self.task = nil
        drewBar = false
    }

    private func details(_ task: ProgressTask, _ update: ProgressUpdate) -> String {
        var text = ""
        if let epochs = task.epochs, let epoch = update.epoch { text += "  epoch \(epoch)/\(epochs)" }
        if !task.unit.isEmpty { text += "  \(task.unit) \(update.step)/\(task.steps)" }
        if let loss = update.loss { text += "  loss \(ProgressRenderer.fixed(loss, 4))" }
        if let note = update.note { text += "  \(note)" }
        return text
    }

    /// `m:ss` (or `h:mm:ss`); `?` for a time that is not a finite number.
    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Swift.max(0, Int(saturating: seconds.rounded()))
        let (h, m, r) = (s / 3600, (s / 60) % 60, s % 60)
        let two = { (n: Int) in n < 10 ? "0\(n)" : "\(n)" }
        return h > 0 ? "\(h):\(two(m)):\(two(r))" : "\(m):\(two(r))"
    }

    /// `value` with `digits` decimals, without Foundation's locale-aware formatting.
    ///
    /// Values too large for whole decimals in an `Int` (a diverging loss: 1e15 and up) and
    /// values that are not finite read as `Value.format` writes them (`4.29e+15`, `inf`, `nan`).
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite, digits <= 4, abs(value) < 1e14 else { return Value.format(value) }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int(scaled / scale)
        var fraction = String(Int(scaled) - whole * Int(scale))
        while fraction.count < digits { fraction = "0" + fraction }
        return (value < 0 && scaled != 0 ? "-" : "") + "\(whole)" + (digits > 0 ? "." + fraction : "")
    }
}
