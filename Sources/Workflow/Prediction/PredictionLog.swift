import Foundation
import NeuralNet
import LoupeBase

/// One line of the prediction log: who predicted what, when, for which file.
public struct PredictionLogEntry: Sendable, Equatable, Codable {
    /// ISO 8601 UTC with seconds ("2026-11-22T12:00:05Z").
    public var time: String
    /// The model's lineage id (`ModelMetadata.id`) and version (increments on each save).
    public var model: String
    public var version: Int
    public var file: String
    public var label: String
    public var confidence: Double
    /// The image's content digest (16 hex digits), so a verdict can find the prediction after
    /// the file was renamed or moved; absent in logs written before Loupe recorded it.
    public var digest: String?

    public init(time: String, model: String, version: Int, file: String, label: String, confidence: Double, digest: String? = nil) {
        self.time = time; self.model = model; self.version = version
        self.file = file; self.label = label; self.confidence = confidence; self.digest = digest
    }

    /// The calendar day of `time` ("2026-11-22").
    public var day: String { String(time.prefix(10)) }

    /// The entry as one JSON object on one line, keys in a fixed order.
    public var jsonLine: String {
        "{\"time\":\(jsonQuoted(time)),\"model\":\(jsonQuoted(model)),\"version\":\(version),"
            + "\"file\":\(jsonQuoted(file)),\"label\":\(jsonQuoted(label)),\"confidence\":\(PredictionLog.number(confidence))"
            + (digest.map { ",\"digest\":\(jsonQuoted($0))" } ?? "") + "}"
    }
}

/// The prediction log: JSON lines appended by every `predict`, summarised by `usage`.
///
/// One object per line so that appends never rewrite earlier lines, a crash loses at most the
/// last line, and `grep`/`jq` work on it directly.
public enum PredictionLog {
    /// The file name `predict` uses inside the work folder.
    public static let fileName = "predictions.jsonl"

    /// Appends one line per entry in a single write, creating the file and its folder when needed.
    public static func append(_ entries: [PredictionLogEntry], to path: String) throws(PredictionError) {
        try appendLines(entries.map(\.jsonLine), to: path)
    }

    /// Appends one line per verdict in a single write, creating the file and its folder when needed.
    public static func append(_ verdicts: [VerdictLogEntry], to path: String) throws(PredictionError) {
        try appendLines(verdicts.map(\.jsonLine), to: path)
    }

    private static func appendLines(_ lines: [String], to path: String) throws(PredictionError) {
        guard !lines.isEmpty else { return }
        let text = lines.joined(separator: "\n") + "\n"
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: path) {
                guard FileManager.default.createFile(atPath: path, contents: nil) else {
                    throw PredictionError.cannotWriteLog(path: path, reason: "the file cannot be created")
                }
            }
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(text.utf8))
        } catch let error as PredictionError {
            throw error
        } catch {
            throw .cannotWriteLog(path: path, reason: fileWriteReason(error, path: path))
        }
    }

    /// The prediction entries of a log, and the 1-based numbers of lines that are neither a
    /// prediction nor a verdict (skipped).
    public static func read(_ path: String) throws(PredictionError) -> (entries: [PredictionLogEntry], badLines: [Int]) {
        let c = try contents(path)
        return (c.predictions, c.badLines)
    }

    /// Everything a log holds: predictions, verdicts (`verify`), and the 1-based numbers of lines
    /// that are neither (skipped).
    public static func contents(_ path: String) throws(PredictionError) -> PredictionLogContents {
        guard FileManager.default.fileExists(atPath: path) else {
            throw .unreadableLog(path: path, reason: "no such file (predict writes \(fileName) in the work folder)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadableLog(path: path, reason: "the file cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadableLog(path: path, reason: "it is not UTF-8 text")
        }
        let decoder = JSONDecoder()
        var contents = PredictionLogContents()
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let data = Data(trimmed.utf8)
            // A verdict nests its prediction, so it never decodes as a prediction (nor the reverse).
            if let verdict = try? decoder.decode(VerdictLogEntry.self, from: data) {
                contents.verdicts.append(verdict)
            } else if let entry = try? decoder.decode(PredictionLogEntry.self, from: data) {
                contents.predictions.append(entry)
            } else {
                contents.badLines.append(i + 1)
            }
        }
        return contents
    }

    /// `date` as the log writes it: ISO 8601 in UTC, whole seconds.
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// A JSON number with six significant digits (confidences do not need more).
    public static func number(_ v: Double) -> String {
        v.isFinite ? String(format: "%.6g", v) : "0"
    }
}
