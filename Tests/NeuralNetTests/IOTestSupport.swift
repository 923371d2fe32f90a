#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NeuralNet
import TestSupport
import XCTest

/// Fixtures, scratch folders, and small writers of zip and pickle bytes for the model-file tests.
enum IOFixtures {
    /// `../shared/fixtures/torch` beside the package root.
    static var torchFolder: String { PackagePaths.sharedFixture("torch") }

    static func bytes(_ name: String) throws -> [UInt8] {
        try readBytes(torchFolder + "/" + name)
    }

    static func readBytes(_ path: String) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else { throw MissingFixture(path: path) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }

    static func writeBytes(_ bytes: [UInt8], to path: String) {
        let file = fopen(path, "wb")!
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
    }

    /// A fresh empty folder under the system temporary folder.
    static func scratchFolder() -> String {
        let temporary = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(temporary)/loupe-io-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "cannot create a scratch folder")
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func removeFolder(_ path: String) {
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(dir)
        }
        rmdir(path)
    }

    static func folderListing(_ path: String) -> [String] {
        var names: [String] = []
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(dir)
        }
        return names.sorted()
    }
}

struct MissingFixture: Error { let path: String }

/// Asserts that `body` throws a `ModelFileError` whose message mentions every one of `phrases`
/// (case-insensitive), and returns the error.
@discardableResult
func assertModelFileError<T>(
    _ body: @autoclosure () throws -> T, mentions phrases: [String],
    file: StaticString = #filePath, line: UInt = #line
) -> ModelFileError? {
    do {
        _ = try body()
        XCTFail("expected an error mentioning \(phrases), but reading succeeded", file: file, line: line)
        return nil
    } catch let error as ModelFileError {
        let message = error.description.lowercased()
        for phrase in phrases where !message.contains(phrase.lowercased()) {
            XCTFail("the message does not mention '\(phrase)': \(error.description)", file: file, line: line)
        }
        return error
    } catch {
        XCTFail("expected a ModelFileError, got \(error)", file: file, line: line)
        return nil
    }
}

/// A minimal zip writer (and reader of the entries of a well-formed archive) for crafting `.pth` files.
enum TestZip {
    struct Entry {
        var name: String
        var data: [UInt8]
        /// Written into the headers as is; the data is never actually compressed.
        var method: UInt16 = 0
        /// A size to claim in the headers instead of the real one.
        var declaredSize: Int? = nil
    }

    /// An archive with sizes in the local headers and no data descriptors (unlike torch.save).
    static func archive(_ entries: [Entry]) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        func u16(_ v: UInt16, _ b: inout [UInt8]) { b += [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func u32(_ v: UInt32, _ b: inout [UInt8]) { u16(UInt16(v & 0xFFFF), &b); u16(UInt16(v >> 16), &b) }
        for entry in entries {
            let offset = UInt32(out.count)
            let crc = crc32(entry.data)
            let name = Array(entry.name.utf8)
            let size = UInt32(entry.declaredSize ?? entry.data.count)
            u32(0x0403_4B50, &out); u16(20, &out); u16(0, &out); u16(entry.method, &out); u16(0, &out); u16(0, &out)
            u32(crc, &out); u32(size, &out); u32(size, &out)
            u16(UInt16(name.count), &out); u16(0, &out)
            out += name + entry.data
            u32(0x0201_4B50, &central); u16(20, &central); u16(20, &central); u16(0, &central); u16(entry.method, &central)
            u16(0, &central); u16(0, &central); u32(crc, &central)
            u32(size, &central); u32(size, &central)
            u16(UInt16(name.count), &central); u16(0, &central); u16(0, &central); u16(0, &central); u16(0, &central)
            u32(0, &central); u32(offset, &central)
            central += name
        }
        let centralStart = UInt32(out.count)
        out += central
        u32(0x0605_4B50, &out); u16(0, &out); u16(0, &out)
        u16(UInt16(entries.count), &out); u16(UInt16(entries.count), &out)
        u32(UInt32(central.count), &out); u32(centralStart, &out); u16(0, &out)
        return out
    }

    /// The entries of a well-formed stored archive, read through its central directory.
    static func entries(of zip: [UInt8]) -> [Entry] {
        func u16(_ p: Int) -> Int { Int(zip[p]) | Int(zip[p + 1]) << 8 }
        func u32(_ p: Int) -> Int { u16(p) | u16(p + 2) << 16 }
        var end = zip.count - 22
        while u32(end) != 0x0605_4B50 { end -= 1 }
        var p = u32(end + 16)
        var result: [Entry] = []
        for _ in 0..<u16(end + 10) {
            let size = u32(p + 24), nameLength = u16(p + 28), local = u32(p + 42)
            let name = String(decoding: zip[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            let start = local + 30 + u16(local + 26) + u16(local + 28)
            result.append(Entry(name: name, data: Array(zip[start..<(start + size)])))
            p += 46 + nameLength + u16(p + 30) + u16(p + 32)
        }
        return result
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return c ^ 0xFFFF_FFFF
    }
}

/// Emits pickle protocol-2 opcodes, for crafting state dicts and hostile pickles.
struct TestPickle {
    var bytes: [UInt8] = [0x80, 2]

    mutating func global(_ module: String, _ name: String) { bytes += [UInt8(ascii: "c")] + Array("\(module)\n\(name)\n".utf8) }
    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        bytes += [UInt8(ascii: "X")] + withUnsafeBytes(of: UInt32(utf8.count).littleEndian, Array.init) + utf8
    }
    mutating func int(_ n: Int32) { bytes += [UInt8(ascii: "J")] + withUnsafeBytes(of: n.littleEndian, Array.init) }
    mutating func ints(_ values: [Int32]) { mark(); values.forEach { int($0) }; op("t") }
    mutating func mark() { op("(") }
    mutating func op(_ c: Character) { bytes.append(c.asciiValue!) }
    mutating func raw(_ b: [UInt8]) { bytes += b }

    /// `_rebuild_tensor_v2(persistent storage, offset, shape, stride, False, OrderedDict())`.
    mutating func tensor(storage: String, key: String, numel: Int32, offset: Int32, shape: [Int32], stride: [Int32]) {
        global("torch._utils", "_rebuild_tensor_v2")
        mark()
        mark(); string("storage"); global("torch", storage); string(key); string("cpu"); int(numel); op("t")
        op("Q")
        int(offset); ints(shape); ints(stride); raw([0x89])
        global("collections", "OrderedDict"); op(")"); op("R")
        op("t"); op("R")
    }

    mutating func stop() { op(".") }
}

/// A `.pth` archive laid out like torch.save's: `archive/data.pkl`, `archive/byteorder`, `archive/data/<key>`.
func torchArchive(pickle: [UInt8], storages: [String: [UInt8]], method: UInt16 = 0) -> [UInt8] {
    var entries = [TestZip.Entry(name: "archive/data.pkl", data: pickle, method: method),
                   TestZip.Entry(name: "archive/byteorder", data: Array("little".utf8))]
    for key in storages.keys.sorted() { entries.append(TestZip.Entry(name: "archive/data/\(key)", data: storages[key]!)) }
    return TestZip.archive(entries)
}

func littleEndianBytes(_ floats: [Float]) -> [UInt8] {
    floats.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
}
