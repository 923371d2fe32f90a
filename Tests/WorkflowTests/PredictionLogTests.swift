import Foundation
import XCTest
import Workflow

final class PredictionLogTests: XCTestCase {
    func testEntriesRoundTripThroughJSONLinesWithEscaping() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-log-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("sub/predictions.jsonl").path
        let odd = PredictionLogEntry(time: "2026-11-22T12:00:05Z", model: "m\"1", version: 3, file: "a\\b\n\tc,é.png", label: "dog_1", confidence: 0.123456789)
        try PredictionLog.append([odd], to: path)
        try PredictionLog.append([PredictionLogEntry(time: "2026-11-22T12:00:06Z", model: "m", version: 1, file: "f", label: "cat", confidence: 1)], to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(text.split(separator: "\n").count, 2, "one line per entry, even with a newline in a file name")
        XCTAssertTrue(text.hasPrefix("{\"time\":\"2026-11-22T12:00:05Z\",\"model\":\"m\\\"1\",\"version\":3,"), text)
        let (entries, bad) = try PredictionLog.read(path)
        XCTAssertEqual(bad, [])
        XCTAssertEqual(entries.count, 2)
        XCTAssertEqual(entries[0].file, odd.file)
        XCTAssertEqual(entries[0].confidence, 0.123457, accuracy: 1e-9)
        XCTAssertEqual(entries[1].day, "2026-11-22")
    }

    func testReadingAMissingLogNamesTheFile() {
        XCTAssertThrowsError(try PredictionLog.read("/nonexistent/predictions.jsonl")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/predictions.jsonl"), "\(error)")
        }
    }

    func testTimestampsAreUTCWithSeconds() {
        XCTAssertEqual(PredictionLog.timestamp(Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00Z")
    }

    func testUsageGroupsAndOrders() {
        let e = [("cat", 0.2, "a", "2026-01-02T00:00:00Z"), ("dog", 0.9, "a", "2026-01-01T00:00:00Z"), ("dog", 0.6, "b", "2026-01-02T05:00:00Z")]
            .map { PredictionLogEntry(time: $0.3, model: $0.2, version: 1, file: "f", label: $0.0, confidence: $0.1) }
        let byClass = summarizeUsage(e, by: .byClass)
        XCTAssertEqual(byClass.rows.map(\.key), [["dog"], ["cat"]])
        XCTAssertEqual(byClass.rows[0].meanConfidence, 0.75, accuracy: 1e-12)
        XCTAssertEqual(byClass.rows[0].first, "2026-01-01T00:00:00Z")
        XCTAssertEqual(summarizeUsage(e, by: .day).rows.map(\.count), [1, 2])
        XCTAssertEqual(summarizeUsage(e, by: .confidence).rows.map(\.count), [1, 1, 0, 1])
        XCTAssertEqual(summarizeUsage([], by: .byClass).rows.count, 0)
    }
}
