import Foundation
import XCTest
import LoupeLang
@testable import LoupeCommands
import Datasets
import Workflow

/// `fine_tune … cache=auto|true|false copies=K` and `train` on a frozen backbone (issue 15).
final class FeatureCacheCommandTests: XCTestCase {
    var home = ""

    override func setUp() {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-home-\(UUID().uuidString)").path
        setenv("LOUPE_HOME", home, 1)
    }

    override func tearDown() {
        unsetenv("LOUPE_HOME")
        try? FileManager.default.removeItem(atPath: home)
    }

    func testAutoDecidesAndSaysWhy() throws {
        let plain = try FeatureCachePlan.decide(choice: "auto", copies: nil, augmented: false, ranks: 1)
        XCTAssertTrue(plain.cached)
        XCTAssertEqual(plain.copies, 1)
        XCTAssertEqual(plain.message, "features: cached (no augmentation): the frozen backbone runs once per image")

        let augmented = try FeatureCachePlan.decide(choice: "auto", copies: nil, augmented: true, ranks: 1)
        XCTAssertFalse(augmented.cached)
        XCTAssertTrue(augmented.message!.contains("not cached, because augmentation"), augmented.message!)
        XCTAssertTrue(augmented.message!.contains("copies=K"), augmented.message!)

        let copies = try FeatureCachePlan.decide(choice: "auto", copies: 4, augmented: true, ranks: 1)
        XCTAssertEqual(copies, FeatureCachePlan(cached: true, copies: 4, message: "features: cached, 4 augmented copies per image (copies=4)", augmented: true))

        let ranks = try FeatureCachePlan.decide(choice: "auto", copies: nil, augmented: false, ranks: 2)
        XCTAssertFalse(ranks.cached)
        XCTAssertTrue(ranks.message!.contains("2 ranks"), ranks.message!)

        XCTAssertTrue(try FeatureCachePlan.decide(choice: "true", copies: nil, augmented: false, ranks: 2).cached, "cache=true under mpirun: each rank extracts")
        XCTAssertEqual(try FeatureCachePlan.decide(choice: "false", copies: nil, augmented: false, ranks: 1),
                       FeatureCachePlan(cached: false, copies: 1, message: nil))
        XCTAssertThrowsError(try FeatureCachePlan.decide(choice: "true", copies: nil, augmented: true, ranks: 1)) { error in
            XCTAssertTrue("\(error)".contains("copies=K"), "\(error)")
        }
    }

    func testFineTuneCachesThenReusesAcrossRuns() throws {
        let h = try quadrantHarness()
        let first = try h.lines("m = resnet 20 classes=d\nrun = fine_tune m d head_epochs=2 epochs=0 head_lr=0.01")
        let text = first.joined(separator: "\n")
        XCTAssertTrue(text.contains("features: cached (no augmentation)"), text)
        XCTAssertTrue(text.contains("features are cached in \(home)/features"), text)
        XCTAssertTrue(text.contains("delete the folder to clear it"), text)
        XCTAssertTrue(text.contains("features: 48 extracted, 0 reused from the cache"), text)
        XCTAssertTrue(text.contains("on cached features"), text)
        XCTAssertTrue(text.contains("features") && text.contains("48 extracted, 0 reused), head"), "the summary gives both times: \(text)")
        XCTAssertEqual(h.session.history.last?.replay, "run = fine_tune m d head_epochs=2 epochs=0 head_lr=0.01 cache=true")

        // Same backbone (only the head trained): nothing is extracted again; no first-use note.
        let second = try h.lines("run2 = fine_tune m d head_epochs=1 epochs=0 cache=auto")
        let again = second.joined(separator: "\n")
        XCTAssertTrue(again.contains("features: 0 extracted, 48 reused from the cache"), again)
        XCTAssertFalse(again.contains("features are cached in"), again)
        XCTAssertEqual(h.session.history.last?.replay, "run2 = fine_tune m d head_epochs=1 epochs=0 cache=true")

        // cache=false: as before, no feature lines.
        let off = try h.lines("run3 = fine_tune m d head_epochs=1 epochs=0 cache=false").joined(separator: "\n")
        XCTAssertFalse(off.contains("features:"), off)
        XCTAssertFalse(off.contains("on cached features"), off)
    }

    func testAugmentationWithoutCopies() throws {
        let h = try quadrantHarness()
        try h.lines("m = resnet 20 classes=d\naugment d flip_h rotate=10")
        let error = h.error("fine_tune m d cache=true head_epochs=1 epochs=0")
        XCTAssertTrue(error.contains("copies=K"), error)
        XCTAssertTrue(error.contains("cache"), error)
        let auto = try h.lines("run = fine_tune m d head_epochs=1 epochs=0").joined(separator: "\n")
        XCTAssertTrue(auto.contains("features: not cached, because augmentation draws new variants every epoch; copies=K"), auto)
        XCTAssertFalse(auto.contains("extracted"), auto)
        XCTAssertEqual(h.session.history.last?.replay, "run = fine_tune m d head_epochs=1 epochs=0 cache=false")
        let copies = try h.lines("run2 = fine_tune m d head_epochs=3 epochs=0 copies=2").joined(separator: "\n")
        XCTAssertTrue(copies.contains("features: cached, 2 augmented copies per image (copies=2)"), copies)
        XCTAssertTrue(copies.contains("features: 84 extracted"), "36 training images x 2 copies + 12 dev: \(copies)")
        XCTAssertTrue(h.error("fine_tune m d copies=0").contains("copies"))
    }

    func testRateSearchesOnAFrozenBackboneUseTheCache() throws {
        let h = try quadrantHarness()
        try h.lines("m = resnet 20 classes=d\nfreeze m")
        let find = try h.lines("f = lr_find m d iterations=20").joined(separator: "\n")
        XCTAssertTrue(find.contains("features: 36 extracted, 0 reused"), "the training split only: \(find)")
        let range = try h.lines("r = lr_range m d lrs=[0.1, 0.01] batches=4").joined(separator: "\n")
        XCTAssertTrue(range.contains("features: 0 extracted, 36 reused"), range)
        let off = try h.lines("r2 = lr_range m d lrs=[0.1, 0.01] batches=4 cache=false").joined(separator: "\n")
        XCTAssertFalse(off.contains("features"), off)
    }

    func testResumeRefusesCachedFeaturesOfAnotherBackbone() throws {
        let h = try quadrantHarness()
        try h.lines("m = resnet 20 classes=d\nrun = fine_tune m d head_epochs=2 epochs=0 stop_after=1")
        // The backbone trains in between: the run's cached features no longer fit it.
        try h.lines("unfreeze m\nother = train m d epochs=1")
        let error = h.error("resume run")
        XCTAssertTrue(error.contains("the backbone changed since run 1 cached its features"), error)
    }

    func testTrainOnAFrozenBackboneUsesTheCache() throws {
        let h = try quadrantHarness()
        try h.lines("m = resnet 20 classes=d")
        XCTAssertTrue(h.error("train m d epochs=1 cache=true").contains("freeze m"))
        let unfrozen = try h.lines("run = train m d epochs=1").joined(separator: "\n")
        XCTAssertFalse(unfrozen.contains("features"), unfrozen)
        let frozen = try h.lines("freeze m\nrun2 = train m d epochs=2 lr=0.01").joined(separator: "\n")
        XCTAssertTrue(frozen.contains("features: cached (no augmentation)"), frozen)
        XCTAssertTrue(frozen.contains("features: 48 extracted"), frozen)
        XCTAssertTrue(frozen.contains("epoch 2: train loss"), frozen)
    }
}
