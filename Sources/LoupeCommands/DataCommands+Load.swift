import Foundation
import Synchronization
import LoupeLang
import Datasets
import Imaging

extension DataCommands {
    static var datasetCommand: CommandSpec {
        CommandSpec(
            name: "dataset", group: group,
            summary: "load labelled images: a folder per class, a CSV of path,label, or MNIST-style IDX files",
            parameters: [
                .positional("path", .string, help: "folder or CSV file"),
                .option("format", .choice(["folder", "csv", "idx"]), help: "how the data is stored (detected when not given)"),
                .option("size", .size, help: "input size models should see, WxH (default: the most common image size)"),
                .option("channels", .integer, help: "1 (grey) or 3 (RGB) (default: grey for grey images, else RGB)"),
                .option("min_per_class", .integer, help: "leave out classes with fewer images (they are listed)"),
                .option("classes", .list(of: .string), help: "keep only these classes, in this order"),
                .option("limit", .integer, help: "a stratified, seeded subset of this many images"),
                .option("labels", .string, help: "a CSV of path,label for the images in PATH"),
            ],
            result: "a dataset; unreadable files and left-out classes are listed",
            example: "d = dataset \"/usr/share/datasets/fashion-mnist\" limit=2000"
        ) { call in try loadDataset(call) }
    }

    static func loadDataset(_ call: CommandInvocation) throws -> Value {
        let path = absolute(try call.arguments.string("path"))
        var options = DatasetOptions()
        if case .string(let f)? = call.arguments["format"] { options.format = DatasetFormat(rawValue: f) }
        if let size = call.arguments["size"] {
            guard case .size(let w, let h) = size, w >= 1, h >= 1 else {
                throw CommandError.invalidArgument(parameter: "size", message: "give a size of at least 1x1, e.g. size=64x64")
            }
            try InputSizeLimits.check(width: w, height: h, parameter: "size")
            options.size = ImageSize(width: w, height: h)
        }
        if call.arguments["channels"] != nil {
            let c = try call.arguments.integer("channels")
            guard c == 1 || c == 3 else {
                throw CommandError.invalidArgument(parameter: "channels", message: "channels must be 1 (grey) or 3 (RGB), not \(c)")
            }
            options.channels = c
        }
        if call.arguments["min_per_class"] != nil {
            let m = try call.arguments.integer("min_per_class")
            guard m >= 0 else { throw CommandError.invalidArgument(parameter: "min_per_class", message: "must not be negative") }
            options.minPerClass = m
        }
        if call.arguments["limit"] != nil {
            let n = try call.arguments.integer("limit")
            guard n >= 1 else { throw CommandError.invalidArgument(parameter: "limit", message: "must be at least 1") }
            options.limit = n
        }
        if call.arguments["classes"] != nil {
            let names = try call.arguments.list("classes").compactMap { v -> String? in if case .string(let s) = v { s } else { nil } }
            guard !names.isEmpty else { throw CommandError.invalidArgument(parameter: "classes", message: "give at least one class name") }
            guard Set(names).count == names.count else {
                throw CommandError.invalidArgument(parameter: "classes", message: "a class is named twice")
            }
            options.classes = names
        }
        if case .string(let given)? = call.arguments["labels"] {
            let labels = absolute(given)
            guard FileManager.default.fileExists(atPath: labels) else {
                throw DataCommandError(.notFound(path: labels), pathParameter: "labels", parameters: [:])
            }
            options.labelsFile = labels
        }
        options.seed = seed(call.session, for: .limit)

        let d = try loadWithProgress(path, options: options, call: call)
        if d.count == 0 {
            let examples = d.unreadable.prefix(3).map { "\($0.path): \($0.reason)" }.joined(separator: "; ")
            var error = DataCommandError(.noImages(path: path), pathParameter: "path", parameters: [:])
            if !examples.isEmpty {
                error.userMessage = "\(path): no readable images (\(counted(d.unreadable.count, "file")) skipped, e.g. \(examples))"
                error.failureKind = .unreadableFile
            }
            throw error
        }
        let value = DatasetValue(d)
        call.write(value.summary)
        for line in loadReport(d, minPerClass: options.minPerClass, name: assignedName(call, fallback: "_")) { call.write(line) }
        return .object(value)
    }

    /// Relative paths are resolved against the working directory once, here, so every file the
    /// dataset lists (and every message) names a path that works from anywhere.
    static func absolute(_ path: String) -> String {
        guard !path.hasPrefix("/"), !path.isEmpty else { return path }
        let expanded = HomePath.expand(path)
        guard !expanded.hasPrefix("/") else { return expanded }
        return ((FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(expanded) as NSString).standardizingPath
    }

    /// Below this many files a load takes about a second: no progress bar.
    static let progressThreshold = 500

    /// Loads the dataset; folders and CSVs are listed first so the decoding pass can show
    /// progress over the files it will actually read, and stop at Ctrl-C.
    static func loadWithProgress(_ path: String, options: DatasetOptions, call: CommandInvocation) throws -> Dataset {
        var options = options
        let format = try translatingErrors(pathParameter: "path") {
            try options.format ?? Dataset.detectFormat(path, labelsFile: options.labelsFile)
        }
        options.format = format
        guard format == .folder || format == .csv else {
            return try translatingErrors(pathParameter: "path") { try Dataset.load(path, options: options) }
        }
        var listingOnly = options
        listingOnly.files.verify = false
        let total = try translatingErrors(pathParameter: options.labelsFile == nil ? "path" : "labels") {
            try Dataset.load(path, options: listingOnly).count
        }
        guard total >= progressThreshold else {
            return try translatingErrors(pathParameter: "path") { try Dataset.load(path, options: options) }
        }
        let meter = DecodeMeter(reporter: call.progress, interruption: call.context.interruption, total: total)
        options.files.decoder = meter.decoder(limits: options.files.limits)
        call.progress.start(ProgressTask(title: "reading images", steps: total, unit: "image"))
        let d: Dataset
        do {
            defer { meter.stop() }
            d = try translatingErrors(pathParameter: "path") { try Dataset.load(path, options: options) }
        } catch {
            call.progress.finish(nil)
            throw error
        }
        if call.shouldStop() {
            call.progress.finish("stopped")
            throw CommandError.interrupted
        }
        call.progress.finish("\(d.count) images read")
        return d
    }

    /// The lines after the summary: classes with their counts, then what was skipped and why.
    static func loadReport(_ d: Dataset, minPerClass: Int?, name: String) -> [String] {
        var lines = [String]()
        if !d.classes.isEmpty {
            lines.append("classes: " + listing(zip(d.classes, d.counts).map { "\($0) (\($1))" }, limit: 12))
        } else {
            lines.append("no labels: the folder holds images but no class sub-folders")
        }
        if !d.excludedClasses.isEmpty {
            let why = minPerClass.map { "fewer than \($0) images (min_per_class)" } ?? "no images"
            lines.append("left out \(d.excludedClasses.count) class\(d.excludedClasses.count == 1 ? "" : "es") with \(why): "
                         + listing(d.excludedClasses.map { "\($0.name) (\($0.count))" }))
        }
        if !d.unreadable.isEmpty {
            let n = d.unreadable.count
            lines.append("skipped \(counted(n, "unreadable file"))\(n > 5 ? " (all in \(name).unreadable)" : ""):")
            for u in d.unreadable.prefix(5) { lines.append("  \(u.path): \(u.reason)") }
            if n > 5 { lines.append("  … and \(n - 5) more") }
        }
        if !d.ignoredFiles.isEmpty {
            let n = d.ignoredFiles.count
            lines.append("ignored \(counted(n, "file")) that \(n == 1 ? "is" : "are") not an image (by the name's extension): "
                         + listing(d.ignoredFiles.map { ($0 as NSString).lastPathComponent }, limit: 5))
        }
        return lines
    }
}

/// Counts decoded files for the progress bar and makes decoding fail fast once Ctrl-C is pressed.
///
/// The store keeps this decoder for later cache misses (training), so `stop()` turns both off
/// when the load ends. Updates come from the decoding threads; a lock keeps them one at a time.
final class DecodeMeter: @unchecked Sendable {
    private let reporter: any ProgressReporter
    private let interruption: InterruptFlag
    private let total: Int
    private let every: Int
    private let state = Mutex<(count: Int, active: Bool)>((0, true))

    init(reporter: any ProgressReporter, interruption: InterruptFlag, total: Int) {
        self.reporter = reporter
        self.interruption = interruption
        self.total = total
        every = max(1, total / 200)
    }

    struct Stopped: Error, CustomStringConvertible {
        var description: String { "not read: the load was interrupted" }
    }

    func decoder(limits: ImageLimits) -> ImageDecoder {
        { [self] path, scale in
            if state.withLock({ $0.active }) && interruption.isRequested { throw Stopped() }
            defer { tick() }
            return try decodeImage(path: path, limits: limits, scale: scale)
        }
    }

    private func tick() {
        state.withLock { s in
            guard s.active else { return }
            s.count += 1
            if s.count % every == 0 || s.count == total { reporter.update(ProgressUpdate(step: s.count)) }
        }
    }

    func stop() { state.withLock { $0.active = false } }
}
