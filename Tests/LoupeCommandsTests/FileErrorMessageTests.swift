import Foundation
import XCTest
import LoupeBase
import LoupeLang
import LoupeCommands

/// Writing into a place that cannot hold the file says which path and why, never a raw
/// `NSCocoaErrorDomain` error (issue 13, class 6).
final class FileErrorMessageTests: XCTestCase {
    func assertReadable(_ message: String, names path: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(message.contains(path), "no path: \(message)", file: file, line: line)
        XCTAssertTrue(message.contains("a file is in the way"), "no reason: \(message)", file: file, line: line)
        for raw in ["NSCocoaErrorDomain", "Error Domain", "could not be completed", "Code="] {
            XCTAssertFalse(message.contains(raw), "raw Foundation text: \(message)", file: file, line: line)
        }
    }

    func testWritesUnderAFileNameThePathAndTheReason() throws {
        let h = try ScriptHarness()
        let folder = try h.makeQuadrantFolder(classes: 2, perClass: 6)
        let blocker = h.path("afile")
        try "not a folder".write(toFile: blocker, atomically: true, encoding: .utf8)
        try h.run("d = dataset \"\(folder)\"\nsplit d val=25%\nm = resnet 20 classes=d")
        assertReadable(h.error("show d to=\"\(blocker)/x.png\""), names: blocker)
        assertReadable(h.error("save_session \"\(blocker)/s.loupe\""), names: blocker)
        assertReadable(h.error("p = predict m \"\(folder)/class0\" to=\"\(blocker)/p.csv\""), names: blocker)
        try h.run("r = train m d epochs=1")
        assertReadable(h.error("report r to=\"\(blocker)/rep.html\""), names: blocker)
    }

    func testReasonsOfCommonErrors() {
        let missing = NSError(domain: NSCocoaErrorDomain, code: CocoaError.fileNoSuchFile.rawValue,
                              userInfo: [NSFilePathErrorKey: "/no/such"])
        XCTAssertEqual(FileErrorText.describe(missing), "/no/such: no such file or folder")
        let denied = NSError(domain: NSCocoaErrorDomain, code: 512,
                             userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(EACCES))])
        XCTAssertEqual(FileErrorText.describe(denied, path: "/root/x.png"), "permission denied")
        XCTAssertEqual(FileErrorText.reason(NSError(domain: NSCocoaErrorDomain, code: 512)), "the file system refused (Cocoa error 512)")
    }

    func testAtomicWritesAreWordedTheSame() throws {
        // Notebooks, session scripts, tables and kernelspecs write through FileWriting (LoupeBase's
        // AtomicWrite): its failures read like Foundation's, never "AtomicWriteFailure error 1".
        let folder = NSTemporaryDirectory() + "loupe-atomic-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder + "/taken", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        XCTAssertThrowsError(try FileWriting.write([1, 2, 3], to: folder + "/taken")) { error in
            XCTAssertEqual(FileErrorText.describe(error, path: folder + "/taken"), "it is a folder, not a file")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["taken"], "no temporary left")
        XCTAssertEqual(FileErrorText.reason(AtomicWriteFailure(reason: "Permission denied", code: EACCES)), "permission denied")
        XCTAssertEqual(FileErrorText.reason(AtomicWriteFailure(reason: "the path names a folder, not a file")), "the path names a folder, not a file")
    }
}
