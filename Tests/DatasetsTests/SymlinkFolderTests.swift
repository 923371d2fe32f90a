import Foundation
import XCTest
import Imaging
import Datasets

/// Symbolic links in dataset and prediction folders are followed, with loops cut (issue 13, class 5).
final class SymlinkFolderTests: XCTestCase {
    var root = ""
    var elsewhere = ""

    override func setUpWithError() throws {
        let base = try temporaryFolder(self)
        root = base + "/data"
        elsewhere = base + "/elsewhere"
        let fm = FileManager.default
        for folder in [root + "/cat", root + "/dog", elsewhere + "/more-dogs", elsewhere + "/birds"] {
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        try randomImage(width: 8, height: 8, channels: 1, seed: 1).writePNG(to: root + "/cat/a.png")
        try randomImage(width: 8, height: 8, channels: 1, seed: 2).writePNG(to: elsewhere + "/b.png")
        try randomImage(width: 8, height: 8, channels: 1, seed: 3).writePNG(to: root + "/dog/c.png")
        try randomImage(width: 8, height: 8, channels: 1, seed: 4).writePNG(to: elsewhere + "/more-dogs/d.png")
        try randomImage(width: 8, height: 8, channels: 1, seed: 5).writePNG(to: elsewhere + "/birds/e.png")
        // A linked image, a linked sub-folder, a linked class folder, and a loop back to the root.
        try fm.createSymbolicLink(atPath: root + "/cat/b.png", withDestinationPath: elsewhere + "/b.png")
        try fm.createSymbolicLink(atPath: root + "/dog/more", withDestinationPath: elsewhere + "/more-dogs")
        try fm.createSymbolicLink(atPath: root + "/bird", withDestinationPath: elsewhere + "/birds")
        try fm.createSymbolicLink(atPath: root + "/dog/loop", withDestinationPath: root + "/dog")
        try fm.createSymbolicLink(atPath: root + "/cat/gone.png", withDestinationPath: elsewhere + "/missing.png")
    }

    func testLinkedImagesAndFoldersAreLoaded() throws {
        let d = try Dataset.loadFolder(root)
        XCTAssertEqual(d.classes, ["bird", "cat", "dog"])
        XCTAssertEqual(d.count, 5, "a.png, b.png (linked), c.png, d.png (linked folder), e.png (linked class)")
        XCTAssertEqual(d.unreadable.map { ($0.path as NSString).lastPathComponent }, ["gone.png"],
                       "a dangling link is listed, not silently dropped")
    }

    func testPredictionFoldersFollowLinksAndStopAtLoops() throws {
        let d = try Dataset.loadUnlabelled(root + "/dog")
        XCTAssertEqual(d.count, 2, "c.png and more/d.png; the loop back to dog/ is not walked again")
    }
}
