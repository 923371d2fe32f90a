import Foundation
import LoupeLang
import Datasets
import TensorCore
import LoupeBase

extension CommandRegistry {
    /// The Data family: `dataset`, `review`, `split`, `show`, `augment`, `preview`, `crop`, `tile`, `add`,
    /// and the `dataset` and `review` value kinds for `help`.
    public mutating func registerDataCommands() {
        register(DataCommands.datasetCommand)
        register(DataCommands.reviewCommand)
        register(DataCommands.splitCommand)
        register(DataCommands.showCommand)
        register(DataCommands.augmentCommand)
        register(DataCommands.previewCommand)
        register(DataCommands.cropCommand)
        register(DataCommands.tileCommand)
        register(DataCommands.addCommand)
        registerKind(DatasetValue.kindDoc)
        registerKind(ReviewValue.kindDoc)
    }
}

/// Namespace for the Data family's command declarations (one file per command or pair).
enum DataCommands {
    static let group = "Data"

    /// Purposes of the seeded draws this family makes. Each draw is seeded from the session seed
    /// and its purpose alone, so adding a `show` before a `split` never changes the split.
    enum SeedPurpose: UInt64 {
        case limit = 0xDA7A_0001
        case split = 0xDA7A_0002
        case show = 0xDA7A_0003
        case preview = 0xDA7A_0004
        case review = 0xDA7A_0005
        case warnings = 0xDA7A_0006
        case export = 0xDA7A_0007
    }

    static func seed(_ session: Session, for purpose: SeedPurpose) -> UInt64 {
        var generator = SeededGenerator(seed: session.seed, stream: purpose.rawValue)
        return generator.next()
    }

    /// Runs a Data-layer call, turning its errors into messages that point at the right argument.
    ///
    /// `parameters` maps the layer's parameter names to this command's (e.g. "tile" → "grid");
    /// `pathParameter` is the argument a file error belongs to.
    static func translatingErrors<T>(pathParameter: String? = nil, parameters: [String: String] = [:],
                                     _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatasetError {
            throw DataCommandError(error, pathParameter: pathParameter, parameters: parameters)
        }
    }

    /// `n` sample indices spread over the classes: per class a seeded permutation, then taken in
    /// turn (class 0, class 1, …), so every class shows up when `n` ≥ the number of classes.
    static func spreadChoice(_ d: Dataset, n: Int, seed: UInt64) -> [Int] {
        var rng = SeededGenerator(seed: seed, stream: 0)
        var byClass = [[Int]](repeating: [], count: d.classes.count + 1)
        for (i, s) in d.samples.enumerated() { byClass[(s.label ?? -1) + 1].append(i) }
        let queues = byClass.filter { !$0.isEmpty }.map { members in rng.permutation(members.count).map { members[$0] } }
        var chosen = [Int]()
        var depth = 0
        while chosen.count < min(n, d.count) {
            for q in queues where depth < q.count && chosen.count < n { chosen.append(q[depth]) }
            depth += 1
        }
        return chosen.sorted { (d.samples[$0].label ?? -1, $0) < (d.samples[$1].label ?? -1, $1) }
    }

    /// The file a figure goes to: `to=` when given (with a `.png` added if missing), else the
    /// work folder under `defaultName`. Creates the folder.
    static func figurePath(_ call: CommandInvocation, defaultName: String) throws -> String {
        let path: String
        if let given = call.arguments["to"], case .string(let p) = given {
            guard !p.isEmpty else { throw CommandError.invalidArgument(parameter: "to", message: "give a file name, e.g. to=\"samples.png\"") }
            path = p.lowercased().hasSuffix(".png") ? p : p + ".png"
        } else {
            path = call.session.workPath(defaultName)
        }
        if call.writesFiles { try makeParentFolder(of: path, parameter: call.arguments.isGiven("to") ? "to" : nil) }
        return path
    }

    static func makeParentFolder(of path: String, parameter: String?) throws {
        let folder = (path as NSString).deletingLastPathComponent
        guard !folder.isEmpty else { return }
        try makeFolder(folder, parameter: parameter)
    }

    static func makeFolder(_ folder: String, parameter: String?) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            let reason = "cannot create the folder \(folder): \(FileErrorText.describe(error, path: folder))"
            if let parameter { throw CommandError.invalidArgument(parameter: parameter, message: reason) }
            throw CommandError.failed(reason)
        }
    }

    /// A short name for files made from a dataset: its folder or file name ("fashion-mnist").
    static func fileStem(_ d: Dataset, subset: Subset? = nil) -> String {
        var name = ((d.path as NSString).lastPathComponent as NSString).deletingPathExtension
        name = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        if name.isEmpty { name = "dataset" }
        return subset.map { "\(name)-\($0.rawValue)" } ?? name
    }

    /// "a (12), b (3)" — at most `limit` items, then "and N more".
    static func listing(_ items: [String], limit: Int = 8) -> String {
        let shown = items.prefix(limit).joined(separator: ", ")
        return items.count > limit ? "\(shown) and \(items.count - limit) more" : shown
    }
}

/// A Data-layer error as the language reports it: the message, the argument it points at, and
/// whether it is a file that cannot be read (exit 66) or a bad value (exit 70).
struct DataCommandError: LoupeReportableError, CustomStringConvertible {
    var userMessage: String
    var failureKind: FailureKind
    var parameter: String?

    init(_ error: DatasetError, pathParameter: String?, parameters: [String: String]) {
        userMessage = remedied(error)
        failureKind = .runtime
        switch error {
        case .notFound, .unreadable:
            failureKind = .unreadableFile
            parameter = pathParameter
        case .unknownFormat, .noImages, .idx, .gzip, .csv:
            parameter = pathParameter
        case .unknownClass:
            parameter = "classes"
        case .noClassesLeft:
            parameter = "min_per_class"
        case let .invalidParameter(name, _, _):
            parameter = parameters[name] ?? name
        case .splitMismatch:
            parameter = nil
        }
    }

    var description: String { userMessage }
}
