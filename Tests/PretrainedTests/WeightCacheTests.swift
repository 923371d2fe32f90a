import Foundation
import XCTest
import Pretrained

/// Downloads, caches and checks against a loopback HTTP server the test starts (Python's
/// http.server on 127.0.0.1): no test reaches the internet.
final class WeightCacheTests: XCTestCase {
    var root = ""
    var served = ""
    var server: Process?
    var port = 0

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "loupe-weights-\(UUID().uuidString)"
        served = root + "/served"
        try FileManager.default.createDirectory(atPath: served, withIntermediateDirectories: true)
    }

    override func tearDown() {
        stopServer()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Writes `bytes` under a name carrying their real sha256 prefix (or `claimed`), returns the name.
    func serve(_ bytes: [UInt8], stem: String, claimed: String? = nil) throws -> String {
        let scratch = root + "/scratch"
        try Data(bytes).write(to: URL(fileURLWithPath: scratch))
        let hash = try WeightFile.sha256(path: scratch)
        let name = "\(stem)-\(claimed ?? String(hash.prefix(8))).pth"
        try FileManager.default.moveItem(atPath: scratch, toPath: served + "/" + name)
        return name
    }

    /// A TCP socket bound to a free loopback port: its descriptor and address.
    func loopbackSocket() -> (socket: Int32, address: sockaddr_in) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &size) } }
        return (fd, address)
    }

    func startServer() throws {
        let (probe, address) = loopbackSocket()
        port = Int(UInt16(bigEndian: address.sin_port))
        close(probe)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", served, String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        server = process
        // Wait until it answers (at most ~5 s).
        for _ in 0..<100 {
            let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var target = address
            let ok = withUnsafeMutablePointer(to: &target) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            close(s)
            if ok == 0 { return }
            usleep(50_000)
        }
        XCTFail("the loopback server did not start")
    }

    func stopServer() {
        if let server, server.isRunning { server.terminate(); server.waitUntilExit() }
        server = nil
    }

    func cache(_ extra: [String: String] = [:]) -> WeightCache {
        WeightCache(environment: ["HOME": root + "/home", "LOUPE_HOME": root + "/loupe", "TORCH_HOME": root + "/torch"].merging(extra) { $1 })
    }

    func cachedFiles(_ c: WeightCache) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: c.folder)) ?? []).sorted()
    }

    func testFoldersFollowTheEnvironment() {
        let defaults = WeightCache(environment: ["HOME": "/h"])
        XCTAssertEqual(defaults.folder, "/h/.cache/loupe/weights")
        XCTAssertEqual(defaults.torchHubFolder, "/h/.cache/torch/hub/checkpoints")
        XCTAssertNil(defaults.mirror)
        let xdg = WeightCache(environment: ["HOME": "/h", "XDG_CACHE_HOME": "/x"])
        XCTAssertEqual(xdg.folder, "/x/loupe/weights")
        XCTAssertEqual(WeightCache(environment: ["LOUPE_HOME": "/l", "TORCH_HOME": "/t"]).torchHubFolder, "/t/hub/checkpoints")
    }

    func testTableAndNames() {
        XCTAssertEqual(ImageNetWeights.forDepth(18)?.hashPrefix, "f37072fd")
        XCTAssertEqual(ImageNetWeights.forDepth(50)?.resize, 232)
        XCTAssertEqual(ImageNetWeights.forDepth(34)?.resize, 256)
        XCTAssertNil(ImageNetWeights.forDepth(20))
        XCTAssertEqual(ImageNetWeights.forDepth(18)?.url(base: "http://mirror/m"), "http://mirror/m/resnet18-f37072fd.pth")
        XCTAssertEqual(WeightFile.hashPrefix(of: "/a/resnet50-11ad3fa6.pth"), "11ad3fa6")
        XCTAssertEqual(WeightFile.hashPrefix(of: "tiny-0123456789ab.safetensors"), "0123456789ab")
        XCTAssertNil(WeightFile.hashPrefix(of: "model.pth"))
        XCTAssertNil(WeightFile.hashPrefix(of: "my-model.pth"), "a word is not a hash")
    }

    func testDownloadThenOfflineReuse() throws {
        let name = try serve(Array(repeating: 7, count: 300_000), stem: "tiny")
        try startServer()
        let c = cache()
        final class Box: @unchecked Sendable { var bytes: Int64 = 0 }
        let box = Box()
        let first = try c.fetch(url: "http://127.0.0.1:\(port)/\(name)") { bytes, _ in box.bytes = bytes; return false }
        let reported = box.bytes
        XCTAssertTrue(first.downloaded)
        XCTAssertEqual(first.path, c.folder + "/" + name)
        XCTAssertEqual(reported, 300_000, "progress reached the file's size")
        XCTAssertEqual(cachedFiles(c), [name], "no .partial left")
        stopServer()
        let again = try c.fetch(url: "http://127.0.0.1:\(port)/\(name)")
        XCTAssertFalse(again.downloaded, "the cached file is used offline")
    }

    func testTorchHubCacheIsReusedWithoutADownload() throws {
        let c = cache()
        let bytes: [UInt8] = Array(repeating: 3, count: 1000)
        let name = try serve(bytes, stem: "hub")
        try FileManager.default.createDirectory(atPath: c.torchHubFolder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: served + "/" + name, toPath: c.torchHubFolder + "/" + name)
        let found = try c.fetch(url: "http://127.0.0.1:9/\(name)")   // no server: it must not be needed
        XCTAssertEqual(found.path, c.torchHubFolder + "/" + name)
        XCTAssertFalse(found.downloaded)
    }

    /// A served file, and a damaged copy of it (`damaged` bytes) in `folder` of the cache: the
    /// fetch that follows must download the served file into Loupe's cache, reporting the copy.
    func fetchPastADamagedCopy(in folder: (WeightCache) -> String, damaged: [UInt8], stem: String) throws
        -> (cache: WeightCache, copy: String, found: WeightCache.Resolved) {
        let bytes: [UInt8] = Array(repeating: 5, count: 3000)
        let name = try serve(bytes, stem: stem)
        try startServer()
        let c = cache()
        try FileManager.default.createDirectory(atPath: folder(c), withIntermediateDirectories: true)
        let copy = folder(c) + "/" + name
        try Data(damaged).write(to: URL(fileURLWithPath: copy))
        let found = try c.fetch(url: "http://127.0.0.1:\(port)/\(name)")
        XCTAssertEqual(found.path, c.folder + "/" + name)
        XCTAssertTrue(found.downloaded)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: found.path)), Data(bytes))
        XCTAssertEqual(found.damaged.count, 1)
        XCTAssertTrue(found.damaged.first?.hasPrefix(copy) ?? false, "\(found.damaged)")
        return (c, copy, found)
    }

    func testADamagedCopyInLoupesCacheIsDownloadedAgain() throws {
        let (c, copy, found) = try fetchPastADamagedCopy(in: \.folder, damaged: Array(repeating: 5, count: 1000), stem: "damaged")   // a copy cut short
        XCTAssertTrue(found.damaged.first?.hasSuffix("was removed") ?? false, "\(found.damaged)")
        // And the next fetch finds the good copy, with nothing to report.
        let again = try c.fetch(url: "http://127.0.0.1:9/\((copy as NSString).lastPathComponent)")
        XCTAssertEqual(again.path, copy)
        XCTAssertFalse(again.downloaded)
        XCTAssertEqual(again.damaged, [])
    }

    func testADamagedCopyInPyTorchsCacheIsLeftAloneAndPassedOver() throws {
        let (_, copy, found) = try fetchPastADamagedCopy(in: \.torchHubFolder, damaged: [1, 2, 3], stem: "hubdamaged")
        XCTAssertTrue(found.damaged.first?.contains("is left as it was") ?? false, "\(found.damaged)")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: copy)), Data([1, 2, 3]), "PyTorch's file is not Loupe's to change")
    }

    func testWrongHashIsRefusedAndNothingStays() throws {
        let name = try serve(Array(repeating: 1, count: 5000), stem: "bad", claimed: "deadbeef")
        try startServer()
        let c = cache()
        XCTAssertThrowsError(try c.fetch(url: "http://127.0.0.1:\(port)/\(name)")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("deadbeef") && text.contains(c.folder) && text.contains("LOUPE_WEIGHTS_URL"), text)
        }
        XCTAssertEqual(cachedFiles(c), [], "nothing half-written or wrong stays in the cache")
    }

    func testMirrorVariableReplacesTheBaseURL() throws {
        // The mirror serves a file under resnet18's name that is not the real one: the download goes
        // to the mirror (its URL is named) and the table's hash still refuses it.
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: served + "/resnet18-f37072fd.pth"))
        try startServer()
        let c = cache(["LOUPE_WEIGHTS_URL": "http://127.0.0.1:\(port)/"])
        XCTAssertThrowsError(try c.imagenet(depth: 18)) { error in
            guard case .hashMismatch(let source, let expected, _, _, _, let removed) = error as? WeightsError else { return XCTFail("\(error)") }
            XCTAssertEqual(source, "http://127.0.0.1:\(port)/resnet18-f37072fd.pth")
            XCTAssertEqual(expected, "f37072fd")
            XCTAssertTrue(removed && "\(error)".contains("nothing was kept"), "\(error)")
        }
        XCTAssertEqual(cachedFiles(c), [])
    }

    func testUnreachableServerAndMissingFileSayWhatToDo() throws {
        let c = cache()
        XCTAssertThrowsError(try c.fetch(url: "http://127.0.0.1:9/resnet18-f37072fd.pth")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("cannot download http://127.0.0.1:9/resnet18-f37072fd.pth"), text)
            XCTAssertTrue(text.contains(c.folder) && text.contains("resnet18-f37072fd.pth") && text.contains("LOUPE_WEIGHTS_URL"), text)
        }
        try startServer()
        XCTAssertThrowsError(try c.fetch(url: "http://127.0.0.1:\(port)/missing-0123abcd.pth")) { error in
            XCTAssertTrue("\(error)".contains("HTTP 404"), "\(error)")
        }
        XCTAssertEqual(cachedFiles(c), [])
        XCTAssertThrowsError(try c.imagenet(depth: 20)) { XCTAssertTrue("\($0)".contains("only 18, 34, 50, 101 and 152"), "\($0)") }
    }

    func testAStalledDownloadStopsWhenAsked() throws {
        // A listening socket that never answers: the connection is made, no byte ever comes.
        let (listener, address) = loopbackSocket()
        defer { close(listener) }
        XCTAssertEqual(listen(listener, 4), 0)
        let silent = Int(UInt16(bigEndian: address.sin_port))
        let start = Date()
        // Ctrl-C, as LoupeCommands passes it: the callback says stop after half a second.
        let stop: WeightCache.Progress = { _, _ in Date().timeIntervalSince(start) > 0.5 }
        XCTAssertThrowsError(try cache().fetch(url: "http://127.0.0.1:\(silent)/resnet18-f37072fd.pth", progress: stop)) { error in
            XCTAssertTrue("\(error)".contains("stopped"), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 5, "stopped while no bytes came, not at the request's time-out")
        XCTAssertEqual(cachedFiles(cache()), [], "nothing left of the stopped download")
    }

    func testALocalFileIsCheckedByItsName() throws {
        let name = try serve([9, 9, 9], stem: "local")
        XCTAssertEqual(try cache().checkedFile(served + "/" + name), served + "/" + name)
        try FileManager.default.moveItem(atPath: served + "/" + name, toPath: served + "/local-00000000.pth")
        XCTAssertThrowsError(try cache().checkedFile(served + "/local-00000000.pth")) { error in
            // A file the user gave is never deleted, and the message says so.
            XCTAssertTrue("\(error)".contains("left as it was") && !"\(error)".contains("nothing was kept"), "\(error)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: served + "/local-00000000.pth"))
        XCTAssertThrowsError(try cache().checkedFile(served + "/nothing.pth"))
    }
}
