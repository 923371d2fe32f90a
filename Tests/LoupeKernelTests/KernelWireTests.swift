import Foundation
import XCTest
@testable import LoupeKernel
import LoupeLang

/// The wire: signatures (RFC 4231's HMAC-SHA256 vectors), message frames, word starts.
final class KernelWireTests: XCTestCase {
    func testSignatureMatchesRFC4231() throws {
        // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
        let signer = try Signer(key: "Jefe", scheme: "hmac-sha256")
        XCTAssertEqual(signer.signature([Array("what do ya want ".utf8), Array("for nothing?".utf8)]),
                       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    func testEmptyKeySignsNothingAndAcceptsAll() throws {
        let signer = try Signer(key: "", scheme: "hmac-sha256")
        XCTAssertEqual(signer.signature([[1, 2, 3]]), "")
        XCTAssertTrue(signer.verify(Array("anything".utf8), [[1]]))
    }

    func testUnknownSchemeIsRefused() {
        XCTAssertThrowsError(try Signer(key: "k", scheme: "hmac-md5"))
    }

    func testMessageRoundTripsAndWrongSignatureIsRejected() throws {
        let signer = try Signer(key: "secret", scheme: "hmac-sha256")
        var message = Message(type: "execute_request", session: "s1", content: ["code": "print 1", "silent": false])
        message.identities = [Array("client".utf8)]
        let frames = message.encode(signer: signer)
        XCTAssertEqual(frames[1], Message.delimiter)
        let decoded = try Message.decode(frames, signer: signer)
        XCTAssertEqual(decoded.type, "execute_request")
        XCTAssertEqual(decoded.content["code"] as? String, "print 1")
        XCTAssertEqual(decoded.identities, [Array("client".utf8)])
        XCTAssertEqual(decoded.header["version"] as? String, "5.3")

        var tampered = frames
        tampered[6] = Array(#"{"code":"print 2","silent":false}"#.utf8)
        XCTAssertThrowsError(try Message.decode(tampered, signer: signer)) { error in
            guard case KernelError.badSignature = error else { return XCTFail("\(error)") }
        }
        let other = try Signer(key: "another", scheme: "hmac-sha256")
        XCTAssertThrowsError(try Message.decode(frames, signer: other))
        XCTAssertThrowsError(try Message.decode([Array("no delimiter".utf8)], signer: signer))
    }

    func testTimestampIsISO8601WithMicroseconds() {
        let stamp = Message.timestamp()
        XCTAssertNotNil(stamp.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"#, options: .regularExpression), stamp)
    }

    func testCompletionWordStartsAfterTheOpeningQuoteInAString() {
        func start(_ text: String) -> Int { Kernel.wordStart(Array(text.unicodeScalars), cursor: text.unicodeScalars.count) }
        XCTAssertEqual(start("m = res"), 4)
        XCTAssertEqual(start("d = dataset \"/usr/share/fashion-mn"), 13, "a path with '-' is one word")
        XCTAssertEqual(start("x = d.tr"), 4)
        XCTAssertEqual(start("print 1\ntrain m d ep"), 18)
    }

    func testConnectionFileIsReadAndCheckedPerField() throws {
        let path = NSTemporaryDirectory() + "loupe-connection-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(#"{"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5, "ip": "127.0.0.1", "key": "k", "transport": "tcp", "signature_scheme": "hmac-sha256"}"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        let info = try ConnectionInfo.read(path)
        XCTAssertEqual(info.endpoint(info.shellPort), "tcp://127.0.0.1:1")
        try Data(#"{"shell_port": "x"}"#.utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try ConnectionInfo.read(path)) { XCTAssertTrue("\($0)".contains("shell_port"), "\($0)") }
        XCTAssertThrowsError(try ConnectionInfo.read(path + ".missing"))
    }

    func testKernelSpecNamesThisBinaryAndSignalInterrupts() throws {
        let json = try JSONSerialization.jsonObject(with: Data(KernelSpec.kernelJSON(executable: "/opt/loupe/bin/loupe"))) as! [String: Any]
        XCTAssertEqual(json["argv"] as? [String], ["/opt/loupe/bin/loupe", "kernel", "-f", "{connection_file}"])
        XCTAssertEqual(json["display_name"] as? String, "Loupe")
        XCTAssertEqual(json["language"] as? String, "loupe")
        XCTAssertEqual(json["interrupt_mode"] as? String, "signal")
        XCTAssertEqual(try KernelSpec.location(["--prefix", "/tmp/x"]), .prefix("/tmp/x"))
        XCTAssertEqual(try KernelSpec.kernelsFolder(.prefix("/tmp/x")), "/tmp/x/share/jupyter/kernels")
        XCTAssertThrowsError(try KernelSpec.location(["--user", "--sys-prefix"]))
        XCTAssertThrowsError(try KernelSpec.location(["--global"]))
    }
}
