import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Locates ../shared/fixtures/images from the package root (found by walking up from this file).
enum Fixtures {
    static let imagesFolder = PackagePaths.sharedFixture("images")

    static func path(_ name: String) -> String { imagesFolder + "/" + name }

    static func bytes(_ name: String) throws -> [UInt8] { try readBytes(atPath: path(name)) }

    static func readBytes(atPath path: String) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else { throw FixtureError.missing(path) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let got = fread(&chunk, 1, chunk.count, file)
            if got == 0 { break }
            bytes += chunk[..<got]
        }
        return bytes
    }

    /// One manifest entry: whether the file must decode.
    struct Entry { let name: String; let ok: Bool }

    /// The manifest's entries, sorted by name.
    static func manifest() throws -> [Entry] {
        let json = try JSONValue.parse(bytes("manifest.json"))
        guard case .object(let entries) = json else { throw FixtureError.malformed("manifest.json") }
        return entries.keys.sorted().map { name in
            var ok = false
            if case .object(let fields) = entries[name]!, case .bool(let value) = fields["ok"] ?? .null { ok = value }
            return Entry(name: name, ok: ok)
        }
    }
}

enum FixtureError: Error, CustomStringConvertible {
    case missing(String)
    case malformed(String)
    var description: String {
        switch self {
        case .missing(let path): return "fixture missing: \(path)"
        case .malformed(let what): return "fixture malformed: \(what)"
        }
    }
}

extension Fixtures {
    /// A fresh path in the system's temporary folder.
    static func temporaryPath(_ name: String) -> String {
        "/tmp/loupe-imaging-\(getpid())-\(UInt32.random(in: 0 ... .max))-\(name)"
    }
}
