import Foundation
import Imaging
import Workflow
import XCTest

/// Renders the sample report in headless Chromium and checks that the page actually shows its content.
final class ReportScreenshotTests: XCTestCase {
    static func findChromium() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
                let candidate = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }

    func testReportRendersInHeadlessChromium() throws {
        guard let chromium = Self.findChromium() else {
            throw XCTSkip("headless Chromium not found on PATH (chromium, chromium-browser, google-chrome); "
                          + "install it (Debian: apt-get install chromium) to screenshot the HTML report")
        }
        let folder = NSTemporaryDirectory() + "loupe-report-screenshot"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let htmlPath = folder + "/report.html", shotPath = folder + "/report.png"
        try? FileManager.default.removeItem(atPath: shotPath)
        try ReportSample.report().writeHTML(to: htmlPath)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        // --no-sandbox: Chromium refuses to start its sandbox as root, which is how CI containers run.
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                             "--window-size=1100,3200", "--screenshot=\(shotPath)", URL(fileURLWithPath: htmlPath).absoluteString]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        if process.isRunning {
            process.terminate()
            return XCTFail("Chromium did not finish the screenshot within 120 s")
        }
        let data = try XCTUnwrap(FileManager.default.contents(atPath: shotPath), "Chromium wrote no screenshot")
        let shot = try PNG.decode([UInt8](data), source: shotPath)
        print("report screenshot: \(shotPath) (\(shot.width)x\(shot.height))")
        XCTAssertEqual(shot.width, 1100)
        // The page is not blank: it has near-black text and the figures' blue.
        var dark = 0, blue = 0
        for i in stride(from: 0, to: shot.pixels.count, by: shot.channels) {
            let r = Int(shot.pixels[i]), g = Int(shot.pixels[i + 1]), b = Int(shot.pixels[i + 2])
            if r < 60 && g < 60 && b < 60 { dark += 1 }
            if b > 150 && r < 40 && g > 90 && g < 140 { blue += 1 }
        }
        XCTAssertGreaterThan(dark, 2000, "no text visible in the screenshot")
        XCTAssertGreaterThan(blue, 2000, "no figure visible in the screenshot")
    }
}
