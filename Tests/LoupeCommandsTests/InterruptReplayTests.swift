import Foundation
import XCTest
import LoupeLang
import LoupeCommands

/// Presses Ctrl-C (sets the interruption flag) once a progress bar whose title contains
/// `title` has reported `batches` batches, as a user would in the middle of that epoch.
final class InterruptAtBatch: ProgressReporter {
    let flag: InterruptFlag
    let title: String
    let batches: Int
    private var current = ""
    private(set) var pressed = false
    init(_ flag: InterruptFlag, title: String, batches: Int) { self.flag = flag; self.title = title; self.batches = batches }
    func start(_ task: ProgressTask) { current = task.title }
    func update(_ update: ProgressUpdate) {
        if !pressed && current.contains(title) && update.step == batches { pressed = true; flag.request() }
    }
    func finish(_ summary: String?) {}
}

/// Interrupts are exact: Ctrl-C in `train` or `fine_tune` puts the model and optimizer back at
/// the last finished epoch, `resume` then ends where an uninterrupted run ends (bit for bit),
/// the statement that was stopped is the one the message names, and `save_session` writes a
/// script that rebuilds the interrupted session.
final class InterruptReplayTests: XCTestCase {
    func weights(_ h: ScriptHarness, _ name: String = "m") throws -> [Float] {
        guard case .object(let o)? = h.value(name), let m = o as? ModelValue else { XCTFail("no model \(name)"); return [] }
        return m.model.state().flatMap(\.values)
    }

    /// A harness whose session loads and splits the quadrant images with statements, so a saved
    /// session replays from nothing. 48 images, 36 to train: 5 batches of 8 an epoch.
    func harness() throws -> ScriptHarness {
        let h = try ScriptHarness(seed: 5)
        let root = try h.makeQuadrantFolder()
        try h.lines("d = dataset \"\(root)\"\nsplit d train=0.75 val=0.25 test=0\nm = resnet 20 classes=d")
        return h
    }

    /// Runs `source` with Ctrl-C pressed after `batches` batches of the bar titled `title`.
    func runInterrupted(_ h: ScriptHarness, _ source: String, title: String, batches: Int,
                        file: String = "<stdin>") throws -> (error: LoupeError?, output: [String]) {
        let flag = h.interruption
        defer { flag.clear() }
        let presser = InterruptAtBatch(flag, title: title, batches: batches)
        var output: [String] = []
        let context = RunContext(output: { output.append($0) }, progress: presser, interruption: flag, showsExpressionValues: true)
        do {
            try h.interpreter.run(SourceFile(name: file, text: source), in: &h.session, context: context)
            XCTFail("Ctrl-C was pressed (\(presser.pressed)) but the statement did not report it")
            return (nil, output)
        } catch {
            XCTAssertTrue(presser.pressed)
            return (error, output)
        }
    }

    func testTrainInterruptedMidEpochResumesToTheUninterruptedWeights() throws {
        let reference = try harness()
        try reference.lines("run = train m d epochs=3 batch=8")
        let expected = try weights(reference)
        let afterEpoch1 = try harness()
        try afterEpoch1.lines("run = train m d epochs=3 batch=8 stop_after=1")

        let h = try harness()
        let (error, output) = try runInterrupted(h, "run = train m d epochs=3 batch=8\nprint \"next\"", title: "epoch 2/3", batches: 2)
        // The message names the statement that was stopped (line 1), not the next one.
        XCTAssertEqual(error?.diagnostic.span?.start.line, 1, "\(String(describing: error))")
        XCTAssertTrue("\(String(describing: error))".contains("interrupted"), "\(String(describing: error))")
        XCTAssertFalse(output.contains("next\n"))
        let text = output.joined()
        XCTAssertTrue(text.contains("stopped in epoch 2 after 2 of its 5 batches: the model and its optimizer are back at the end of epoch 1"), text)
        // The run is kept, records where it stopped, and holds the weights of epoch 1.
        guard case .object(let o)? = h.value("run"), let run = o as? RunValue else { return XCTFail("the run is not kept") }
        XCTAssertEqual(run.training.epochsRun, 1)
        XCTAssertEqual(run.training.run.stopPoint?.epoch, 2)
        XCTAssertTrue(run.summary.contains("interrupted in epoch 2 after 2 of 5 batches"), run.summary)
        XCTAssertEqual(try weights(h), try weights(afterEpoch1), "the weights of the last finished epoch")
        XCTAssertEqual(h.session.history.last?.replay, "run = train m d epochs=3 batch=8 stop_after=1")

        try h.lines("resume run")
        XCTAssertEqual(try weights(h), expected, "resume after Ctrl-C gives the uninterrupted run's weights bit for bit")

        // The saved session replays: the stopped train, then the resume, to the same weights.
        try h.lines("save_session \"\(h.path("s.loupe"))\"")
        let script = try String(contentsOfFile: h.path("s.loupe"), encoding: .utf8)
        XCTAssertTrue(script.contains("run = train m d epochs=3 batch=8 stop_after=1\nresume run\n"), script)
        let replay = try ScriptHarness()
        try replay.run(script, file: "s.loupe")
        XCTAssertEqual(try weights(replay), expected, "the replayed session ends with the same weights")
    }

    func testResumeInterruptedAgainReplays() throws {
        let reference = try harness()
        try reference.lines("run = train m d epochs=4 batch=8")
        let h = try harness()
        _ = try runInterrupted(h, "run = train m d epochs=4 batch=8", title: "epoch 1/4", batches: 1)
        _ = try runInterrupted(h, "resume run", title: "epoch 3/4", batches: 4)
        XCTAssertEqual(h.session.history.suffix(2).map(\.replay), ["run = train m d epochs=4 batch=8 stop_after=0", "resume run stop_after=2"])
        try h.lines("resume run")
        XCTAssertEqual(try weights(h), try weights(reference))
        let replay = try ScriptHarness()
        try replay.run(h.session.replayScript())
        XCTAssertEqual(try weights(replay), try weights(reference))
    }

    func testFineTuneInterruptedInItsHeadStepResumesIntoTheSecondStep() throws {
        let reference = try harness()
        try reference.lines("run = fine_tune m d head_epochs=2 epochs=2 head_lr=0.01 batch=8")
        let h = try harness()
        _ = try runInterrupted(h, "run = fine_tune m d head_epochs=2 epochs=2 head_lr=0.01 batch=8", title: "head epoch 2/2", batches: 3)
        XCTAssertEqual(h.session.history.last?.replay, "run = fine_tune m d head_epochs=2 epochs=2 head_lr=0.01 batch=8 cache=true stop_after=1")
        let out = try h.lines("resume run\nprint run.epochs")
        XCTAssertTrue(out.contains { $0.hasPrefix("step 2, everything") }, "\(out)")
        XCTAssertEqual(out.last, "4")
        XCTAssertEqual(try weights(h), try weights(reference), "the fine-tune resumed through both steps")
        let replay = try ScriptHarness()
        try replay.run(h.session.replayScript())
        XCTAssertEqual(try weights(replay), try weights(reference))
    }

    func testInterruptInsideABlockNamesTheStatementInTheBlock() throws {
        let h = try harness()
        let (error, _) = try runInterrupted(h, "for e in [2] {\n  run = train m d epochs=e batch=8\n  print \"after\"\n}", title: "epoch 1/2", batches: 1)
        XCTAssertEqual(error?.diagnostic.span?.start.line, 2, "\(String(describing: error))")
    }

    func testAStopAfterTypedIsReplacedInTheReplay() throws {
        let h = try harness()
        _ = try runInterrupted(h, "run = train m d epochs=3 stop_after=2 batch=8", title: "epoch 2/3", batches: 1)
        XCTAssertEqual(h.session.history.last?.replay, "run = train m d epochs=3 stop_after=1 batch=8")
        XCTAssertTrue(try h.error("train m d stop_after=-1").contains("stop_after"))
    }
}
