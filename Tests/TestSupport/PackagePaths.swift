import Foundation

/// Where the tests find the package and the shared reference data: one place instead of a copy
/// of "walk up to Package.swift" in every test target.
public enum PackagePaths {
    /// The package root: the nearest folder above this file that holds Package.swift.
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            guard url.path != "/" else { fatalError("Package.swift not found above \(#filePath)") }
            url.deleteLastPathComponent()
        }
        return url
    }()

    /// A path inside `../shared/fixtures` beside the package (PyTorch reference data, images).
    public static func sharedFixture(_ relative: String) -> String {
        root.appendingPathComponent("../shared/fixtures/\(relative)").standardized.path
    }
}
