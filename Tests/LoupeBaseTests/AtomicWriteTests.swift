import Foundation
import LoupeBase
import XCTest

/// The one atomic write: a whole new file or the old one, never a torn one, and no leftovers of
/// killed writes. (Every writer's sweep, through figures, reports and exports: NeuralNetTests.)
final class AtomicWriteTests: XCTestCase {
    var folder: String!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-atomic-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    func testWritesAndReplacesKeepingTheFileMode() throws {
        let path = folder + "/a.bin"
        try AtomicWrite.write([1, 2, 3], to: path)
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data([1, 2, 3]))
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int, 0o644)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        try AtomicWrite.write([4], to: path)
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data([4]))
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int, 0o600)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["a.bin"], "no temporary left")
    }

    func testAFailedWriteLeavesNothingAndSaysWhy() throws {
        XCTAssertThrowsError(try AtomicWrite.write([1], to: folder + "/")) { error in
            XCTAssertEqual((error as? AtomicWriteFailure)?.reason, "the path names a folder, not a file")
        }
        XCTAssertThrowsError(try AtomicWrite.write([1], to: folder + "/missing/a.bin")) { error in
            XCTAssertTrue((error as? AtomicWriteFailure)?.reason.contains("cannot create a temporary file") == true, "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), [])
    }

    func testTheSweepRemovesTemporariesOfDeadProcessesOnly() throws {
        // A process id that cannot be alive (above Linux's largest, 2^22), this process's, and init's.
        let dead = ".best.loupe\(AtomicWrite.temporaryMarker)999999999-a1B2c3"
        let mine = ".last.loupe\(AtomicWrite.temporaryMarker)\(getpid())-d4E5f6"
        let live = ".other.loupe\(AtomicWrite.temporaryMarker)1-g7H8i9"
        for name in [dead, mine, live, ".hidden-notes"] { try Data([1]).write(to: URL(fileURLWithPath: folder + "/" + name)) }
        AtomicWrite.removeAbandonedTemporaries(in: folder)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), [".hidden-notes", mine, live].sorted())
    }
}
