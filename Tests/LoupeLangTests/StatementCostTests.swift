import Foundation
import XCTest
@testable import LoupeLang

/// A script runs in time linear in its number of statements (issue 13: 8,000 statements took
/// 0.6 s of CPU and 32,000 took 8.9 s, because each statement copied the whole history).
final class StatementCostTests: XCTestCase {
    /// CPU time of this thread, so that other processes on the machine do not count.
    func threadSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Seconds of CPU to run `n` assignments in a fresh session (the best of three runs).
    func cost(_ n: Int) throws -> Double {
        let interpreter = Interpreter()
        let source = SourceFile(name: "many.loupe", text: (0..<n).map { "x\($0 % 50) = \($0)" }.joined(separator: "\n"))
        let statements = try interpreter.parse(source)
        var best = Double.infinity
        for _ in 0..<3 {
            var session = Session()
            let context = RunContext(output: { _ in }, showsExpressionValues: false)
            let start = threadSeconds()
            for statement in statements { try interpreter.execute(statement, from: source, in: &session, context: context) }
            best = min(best, threadSeconds() - start)
            XCTAssertEqual(session.history.count, n)
        }
        return best
    }

    func testFourTimesTheStatementsCostAboutFourTimesTheTime() throws {
        let small = try cost(4_000), large = try cost(16_000)
        // Linear gives about 4; the quadratic copy gave 14 to 16. 8 leaves room for noise.
        XCTAssertLessThan(large / small, 8, "4,000 statements: \(small) s, 16,000: \(large) s")
    }
}
