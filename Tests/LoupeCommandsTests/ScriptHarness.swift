import Foundation
import XCTest
import LoupeLang
import LoupeCommands
import Imaging

/// Runs Loupe source through the full command registry, as `loupe run` would, and captures
/// what it prints. Each harness has its own work folder under the temporary directory.
final class ScriptHarness {
    let interpreter = Interpreter(registry: makeCommandRegistry())
    var session: Session
    let workdir: URL
    private(set) var output: [String] = []
    let interruption = InterruptFlag()

    init(seed: UInt64 = 0) throws {
        workdir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workdir, withIntermediateDirectories: true)
        session = Session(seed: seed, workdir: workdir.path + "/")
    }

    deinit { try? FileManager.default.removeItem(at: workdir) }

    /// Runs `source`; returns what it printed. Throws the language error on failure.
    @discardableResult
    func run(_ source: String, file: String = "<test>") throws -> [String] {
        var printed: [String] = []
        let context = RunContext(output: { line in printed.append(contentsOf: line.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)) },
                                 interruption: interruption, showsExpressionValues: true)
        defer { output += printed }
        try interpreter.run(SourceFile(name: file, text: source), in: &session, context: context)
        return printed
    }

    /// What `source` printed, without the empty strings after final newlines.
    @discardableResult
    func lines(_ source: String) throws -> [String] { try run(source).filter { !$0.isEmpty } }

    /// The error message of a failing source (fails the test when it succeeds).
    func error(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do { try run(source); XCTFail("expected an error from: \(source)", file: file, line: line); return "" }
        catch { return "\(error)" }
    }

    func value(_ name: String) -> Value? { session.variables[name] }

    /// Path of a file in the work folder.
    func path(_ name: String) -> String { workdir.appendingPathComponent(name).path }

    /// A folder-per-class dataset of small PNGs: class k has `perClass` images with a bright
    /// square in quadrant k (28x28 grey), plus noise so no two images are identical.
    func makeQuadrantFolder(classes: Int = 4, perClass: Int = 12, size: Int = 28) throws -> String {
        let root = workdir.appendingPathComponent("quadrants")
        var seed: UInt64 = 1
        func noise() -> UInt8 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return UInt8((seed >> 59) * 3) }
        for k in 0..<classes {
            let folder = root.appendingPathComponent("class\(k)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for i in 0..<perClass {
                var image = Image(width: size, height: size, channels: 1)
                for p in 0..<(size * size) { image.pixels[p] = noise() }
                let half = size / 2, ox = (k % 2) * half + 2 + i % 3, oy = (k / 2) * half + 2 + (i / 3) % 3
                for y in oy..<(oy + half - 6) { for x in ox..<(ox + half - 6) { image[x, y, 0] = 220 } }
                try image.writePNG(to: folder.appendingPathComponent("img\(i).png").path)
            }
        }
        return root.path
    }
}
