import Foundation
import Datasets
import NeuralNet
import LoupeBase

/// What a person decided about one prediction.
public enum Verdict: String, Sendable, Codable, CaseIterable {
    /// Filed under the predicted class: the prediction was right.
    case confirmed
    /// Filed under another class: the prediction was wrong, and the folder is the truth.
    case corrected
    /// Put into `unknown/`: the person could not tell.
    case unknown
    /// Put into `discard/`: not a valid image for this task (blurred, off-topic).
    case discarded
}

/// One line of the prediction log written by `verify`: a person's verdict on a logged prediction.
public struct VerdictLogEntry: Sendable, Equatable, Codable {
    /// When the verdict was recorded (ISO 8601 UTC).
    public var time: String
    public var verdict: Verdict
    /// The true class (the folder the image was filed in); nil for unknown and discarded.
    public var truth: String?
    /// The file the person filed, where `verify` found it.
    public var file: String
    public var digest: String
    /// Who recorded it (the user name of the session).
    public var by: String
    /// The prediction it judges, as the log recorded it.
    public var prediction: PredictionLogEntry

    public init(time: String, verdict: Verdict, truth: String?, file: String, digest: String, by: String, prediction: PredictionLogEntry) {
        self.time = time; self.verdict = verdict; self.truth = truth
        self.file = file; self.digest = digest; self.by = by; self.prediction = prediction
    }

    /// Whether the prediction was right, for confirmed and corrected verdicts (nil otherwise).
    public var isCorrect: Bool? {
        switch verdict {
        case .confirmed: return true
        case .corrected: return false
        case .unknown, .discarded: return nil
        }
    }

    /// Identifies the prediction judged: a later verdict on the same key replaces an earlier one.
    public var predictionKey: String {
        "\(prediction.model)|\(prediction.version)|\(prediction.time)|\(prediction.file)|\(digest)"
    }

    /// The verdict as one JSON object on one line, keys in a fixed order, the prediction nested.
    public var jsonLine: String {
        "{\"time\":\(jsonQuoted(time)),\"verdict\":\(jsonQuoted(verdict.rawValue)),"
            + (truth.map { "\"truth\":\(jsonQuoted($0))," } ?? "")
            + "\"file\":\(jsonQuoted(file)),\"digest\":\(jsonQuoted(digest)),\"by\":\(jsonQuoted(by)),"
            + "\"prediction\":\(prediction.jsonLine)}"
    }
}

/// The lines of a prediction log, sorted by kind.
public struct PredictionLogContents: Sendable, Equatable {
    public var predictions: [PredictionLogEntry] = []
    public var verdicts: [VerdictLogEntry] = []
    /// 1-based numbers of lines that are neither (skipped).
    public var badLines: [Int] = []

    public init(predictions: [PredictionLogEntry] = [], verdicts: [VerdictLogEntry] = [], badLines: [Int] = []) {
        self.predictions = predictions; self.verdicts = verdicts; self.badLines = badLines
    }

    /// The latest verdict on each prediction (a person may verify a folder again after more corrections).
    public var latestVerdicts: [VerdictLogEntry] { latest(verdicts) }
}

/// The latest verdict per prediction, in the order their predictions were first judged.
public func latest(_ verdicts: [VerdictLogEntry]) -> [VerdictLogEntry] {
    var order: [String] = [], byKey: [String: VerdictLogEntry] = [:]
    for v in verdicts {
        let key = v.predictionKey
        if let old = byKey[key] {
            if v.time >= old.time { byKey[key] = v }
        } else {
            order.append(key); byKey[key] = v
        }
    }
    return order.map { byKey[$0]! }
}

/// What a folder of re-filed images says about a set of predictions.
public struct VerificationOutcome: Sendable {
    /// One verdict per decided image, in path order.
    public var verdicts: [VerdictLogEntry] = []
    /// Images that match no prediction (not predicted, or changed since).
    public var unmatched: [String] = []
    /// Files that cannot be decoded, with the reason.
    public var unreadable: [UnreadableFile] = []
    /// Files left out because their names say they are not images (`notes.txt`).
    public var ignored: [String] = []
    /// Images directly in the folder rather than in a class folder: not decided yet.
    public var unsorted: [String] = []
    /// Images whose prediction was already judged by an earlier file of this folder (the same image twice).
    public var repeated: [String] = []
    /// Folders that are no class of the model (nor unknown/discard), with their image counts:
    /// recorded as corrected to that class, and reported.
    public var newClasses: [String: Int] = [:]

    public func count(_ verdict: Verdict) -> Int { verdicts.count { $0.verdict == verdict } }

    /// (predicted, true, count) of the corrected verdicts, most frequent first.
    public var correctedPairs: [(predicted: String, truth: String, count: Int)] {
        var tally: [[String]: Int] = [:]
        for v in verdicts where v.verdict == .corrected { tally[[v.prediction.label, v.truth ?? ""], default: 0] += 1 }
        return tally.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.lexicographicallyPrecedes($1.key) }
            .map { ($0.key[0], $0.key[1], $0.value) }
    }
}

/// The folder name of a class: path separators become `_`, a leading dot too (`copy`, `export`, `verify`).
public func classFolderName(_ label: String) -> String {
    var s = label.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "\\", with: "_")
    if s.hasPrefix(".") { s = "_" + s.dropFirst() }
    return s.isEmpty ? "_" : s
}

/// The folder names `verify` reads as "cannot tell" and "not a valid image".
public let unknownFolderNames: Set<String> = ["unknown"]
public let discardFolderNames: Set<String> = ["discard", "discarded"]

/// Reads a folder a person re-filed (`DIR/<class>/…`, `DIR/unknown/…`, `DIR/discard/…`) and
/// judges the predictions whose images it holds.
///
/// Files are matched to predictions by the digest of their decoded pixels, so renamed and moved
/// files are still found. Each image is read once; the first file of an image judges its first
/// prediction not yet judged, a second file its second prediction (the same picture predicted
/// twice), and any further file is listed in `repeated`. `predictions` need digests.
public func verifyFolder(_ folder: String, predictions: [PredictionLogEntry], classes: [String],
                         time: String, by: String) throws -> VerificationOutcome {
    var options = FileLoadOptions()
    options.verify = true
    let images = try Dataset.loadUnlabelled(folder, options: options)
    var outcome = VerificationOutcome()
    outcome.unreadable = images.unreadable
    outcome.ignored = images.ignoredFiles
    var byDigest: [String: [Int]] = [:]
    for (i, p) in predictions.enumerated() { if let d = p.digest { byDigest[d, default: []].append(i) } }
    var used = Set<Int>()
    var folderClass: [String: String] = [:]
    for c in classes { folderClass[classFolderName(c)] = c; folderClass[c] = c }
    let root = folder.hasSuffix("/") ? folder : folder + "/"
    for i in images.samples.indices {
        let path = images.samples[i].name
        let relative = path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
        let parts = relative.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count >= 2 else { outcome.unsorted.append(path); continue }
        let top = String(parts[0])
        guard let image = try? images.image(at: i) else {
            outcome.unreadable.append(UnreadableFile(path: path, reason: "cannot be decoded")); continue
        }
        let digest = contentDigest(image)
        guard let candidates = byDigest[digest] else { outcome.unmatched.append(path); continue }
        guard let chosen = candidates.first(where: { !used.contains($0) }) else { outcome.repeated.append(path); continue }
        used.insert(chosen)
        let prediction = predictions[chosen]
        let verdict: Verdict, truth: String?
        if let c = folderClass[top] {
            truth = c
            verdict = c == prediction.label ? .confirmed : .corrected
        } else if unknownFolderNames.contains(top.lowercased()) {
            truth = nil; verdict = .unknown
        } else if discardFolderNames.contains(top.lowercased()) {
            truth = nil; verdict = .discarded
        } else {
            truth = top; verdict = .corrected
            outcome.newClasses[top, default: 0] += 1
        }
        outcome.verdicts.append(VerdictLogEntry(time: time, verdict: verdict, truth: truth, file: path, digest: digest,
                                                by: by, prediction: prediction))
    }
    outcome.unreadable.sort { $0.path < $1.path }
    return outcome
}
