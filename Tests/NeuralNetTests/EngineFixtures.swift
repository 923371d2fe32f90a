import Foundation
import XCTest
import TensorCore
import TestSupport

/// Reads the PyTorch reference tensors in ../shared/fixtures/torch (safetensors: 8-byte header
/// length, JSON header, raw little-endian data) and converts between PyTorch's NCHW and the
/// engine's NHWC.
enum EngineFixtures {
    static func path(_ relative: String) -> String { PackagePaths.sharedFixture(relative) }

    struct Entry { let shape: [Int]; let floats: [Float]; let ints: [Int64] }

    static func load(_ relative: String) throws -> [String: Entry] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path(relative)))
        let bytes = [UInt8](data)
        let n = Int(bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as! [String: Any]
        var out: [String: Entry] = [:]
        for (name, value) in header where name != "__metadata__" {
            let v = value as! [String: Any]
            let shape = (v["shape"] as! [Int])
            let offsets = v["data_offsets"] as! [Int]
            let raw = Array(bytes[(8 + n + offsets[0])..<(8 + n + offsets[1])])
            switch v["dtype"] as! String {
            case "F32":
                let floats = raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
                out[name] = Entry(shape: shape, floats: floats, ints: [])
            case "I64":
                let ints = raw.withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) }
                out[name] = Entry(shape: shape, floats: ints.map(Float.init), ints: ints)
            default: continue
            }
        }
        return out
    }

    static func metadata(_ relative: String) throws -> [String: String] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(relative))))
        let n = Int(bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as! [String: Any]
        return header["__metadata__"] as? [String: String] ?? [:]
    }

    /// NCHW values → an NHWC tensor.
    static func nhwc(_ e: Entry) -> Tensor {
        let (n, c, h, w) = (e.shape[0], e.shape[1], e.shape[2], e.shape[3])
        let t = Tensor(shape: [n, h, w, c])
        for b in 0..<n { for ch in 0..<c { for y in 0..<h { for x in 0..<w {
            t[((b * h + y) * w + x) * c + ch] = e.floats[((b * c + ch) * h + y) * w + x]
        } } } }
        return t
    }

    /// An NHWC tensor → NCHW values.
    static func nchw(_ t: Tensor) -> [Float] {
        let (n, h, w, c) = (t.shape[0], t.shape[1], t.shape[2], t.shape[3])
        var out = [Float](repeating: 0, count: t.count)
        for b in 0..<n { for ch in 0..<c { for y in 0..<h { for x in 0..<w {
            out[((b * c + ch) * h + y) * w + x] = t[((b * h + y) * w + x) * c + ch]
        } } } }
        return out
    }
}

/// Asserts |a − e| ≤ atol + rtol·|e| elementwise; on failure prints the first differing values and the max difference.
func assertClose(_ actual: [Float], _ expected: [Float], rtol: Float = 1e-4, atol: Float = 1e-5,
                 _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == expected.count else {
        XCTFail("\(what): \(actual.count) values, expected \(expected.count)", file: file, line: line); return
    }
    var maxDiff: Float = 0, bad: [String] = []
    for i in 0..<actual.count {
        let d = abs(actual[i] - expected[i])
        if !(d <= atol + rtol * abs(expected[i])) {
            if bad.count < 5 { bad.append("[\(i)] \(actual[i]) vs \(expected[i])") }
        }
        if d.isNaN { maxDiff = .nan } else { maxDiff = max(maxDiff, d) }
    }
    if !bad.isEmpty {
        XCTFail("\(what): max |diff| \(maxDiff); first differences: \(bad.joined(separator: ", "))", file: file, line: line)
    }
}
