import Foundation
import TestSupport
import XCTest

/// The layers' arrows as the code has them: every `import` under Sources/ points down the layer
/// picture below (never up, never sideways), and Package.swift declares exactly the package
/// modules each target imports (none missing, none unused). docs/architecture.md draws it.
final class LayeringTests: XCTestCase {
    /// Lower numbers sit lower. A module may import package modules of lower layers only; the C
    /// modules (layer 0) may use each other (a shim over its system library).
    static let layers: [String: Int] = [
        "CBLAS": 0, "CDNNL": 0, "COpenMP": 0, "CWinograd": 0, "CPNG": 0, "CJPEG": 0, "CReadline": 0, "CFreeType": 0, "CZlib": 0,
        "CZMQ": 0, "CCrypto": 0, "CCodecs": 0, "CMPISystem": 0, "CMPI": 0,
        // The utilities every layer shares: the atomic file write, the seeded generator, JSON
        // quoting, slugs (no dependencies).
        "LoupeBase": 0,
        // The writer of self-contained HTML pages (reports, the notebook page; Foundation only).
        "HTMLPages": 0,
        // Engine, codecs, the language (knows no machine learning), weight downloads.
        "TensorCore": 1, "Imaging": 1, "LoupeLang": 1, "Pretrained": 1,
        // Networks, datasets, figures, the MPI communicator.
        "NeuralNet": 2, "Datasets": 2, "Plotting": 2, "LoupeMPI": 2,
        // Training, evaluation and prediction; ONNX export.
        "Workflow": 3, "ONNXExport": 3,
        // The language bound to the layers below; `loupe bench`'s workloads; the Jupyter kernel.
        "LoupeCommands": 4, "LoupeBench": 4, "LoupeKernel": 4,
        // The executable.
        "loupe": 5,
    ]

    static var root: URL { PackagePaths.root }

    /// Package modules each Swift target imports, with a file that does it.
    static func imports() throws -> [String: [String: String]] {
        let sources = root.appendingPathComponent("Sources")
        let pattern = try NSRegularExpression(pattern: #"^\s*(?:@\w+\s+)*import\s+(?:(?:struct|class|enum|func|var|typealias|protocol)\s+)?(\w+)"#,
                                              options: .anchorsMatchLines)
        var result: [String: [String: String]] = [:]
        for module in try FileManager.default.contentsOfDirectory(atPath: sources.path).sorted() {
            guard let files = FileManager.default.enumerator(atPath: sources.appendingPathComponent(module).path) else { continue }
            for case let file as String in files where file.hasSuffix(".swift") {
                let text = try String(contentsOf: sources.appendingPathComponent(module).appendingPathComponent(file), encoding: .utf8)
                for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    let name = String(text[Range(match.range(at: 1), in: text)!])
                    if layers[name] != nil { result[module, default: [:]][name] = result[module]?[name] ?? file }
                }
                if result[module] == nil { result[module] = [:] }
            }
        }
        return result
    }

    /// The dependencies Package.swift declares for each non-test target.
    static func declared() throws -> [String: Set<String>] {
        let text = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #"\.(?:target|executableTarget)\(name:\s*"(\w+)"(?:,\s*dependencies:\s*\[([^\]]*)\])?"#)
        var result: [String: Set<String>] = [:]
        for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let name = String(text[Range(match.range(at: 1), in: text)!])
            let list = Range(match.range(at: 2), in: text).map { String(text[$0]) } ?? ""
            result[name] = Set(list.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \n\"")) }.filter { !$0.isEmpty })
        }
        return result
    }

    func testEveryImportPointsDownTheLayers() throws {
        let imports = try Self.imports()
        XCTAssertGreaterThan(imports.count, 10, "found the Swift modules under Sources/")
        for (module, used) in imports.sorted(by: { $0.key < $1.key }) {
            guard let level = Self.layers[module] else {
                XCTFail("Sources/\(module) is not in the layer picture: add it to LayeringTests.layers and docs/architecture.md"); continue
            }
            for (imported, file) in used.sorted(by: { $0.key < $1.key }) {
                let other = Self.layers[imported]!
                if level == 0 && other == 0 { continue }
                XCTAssertLessThan(other, level, "Sources/\(module)/\(file) imports \(imported): an arrow that runs "
                                  + (other == level ? "sideways (both in layer \(level))" : "up (layer \(level) to \(other))"))
            }
        }
    }

    func testPackageDeclaresWhatEachTargetImports() throws {
        let imports = try Self.imports(), declared = try Self.declared()
        for (module, used) in imports.sorted(by: { $0.key < $1.key }) where Self.layers[module] != 0 {
            guard let dependencies = declared[module] else { XCTFail("Package.swift has no target \(module)"); continue }
            for missing in Set(used.keys).subtracting(dependencies).sorted() {
                XCTFail("Sources/\(module)/\(used[missing]!) imports \(missing), which Package.swift does not declare for \(module)")
            }
            for unused in dependencies.subtracting(used.keys).sorted() {
                XCTFail("Package.swift declares \(module) → \(unused), but no file of \(module) imports it")
            }
        }
    }
}
