import XCTest

extension XCTestCase {
    /// `test` (Suite.Class/method) in this test binary under `mpirun -np N`: fails unless every
    /// rank passed. Lines of the ranks' output that mention `echo` (or an error) are printed.
    func runUnderMPI(_ test: String, ranks: Int, echo: String = "worst gradient") {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        process.arguments = ["mpirun", "--oversubscribe", "-np", "\(ranks)", binary, test]
        var environment = ProcessInfo.processInfo.environment
        if getuid() == 0 { environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"; environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1" }
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return XCTFail("cannot start mpirun (Debian: openmpi-bin): \(error)") }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        for line in output.split(separator: "\n") where line.contains(echo) || line.contains("error") { print(line) }
        let passedRanks = output.components(separatedBy: "' passed (").count - 1
        XCTAssertEqual(process.terminationStatus, 0, "mpirun -np \(ranks) ended with \(process.terminationStatus):\n\(output)")
        XCTAssertEqual(passedRanks, ranks, "\(passedRanks) of \(ranks) ranks passed:\n\(output)")
    }
}
