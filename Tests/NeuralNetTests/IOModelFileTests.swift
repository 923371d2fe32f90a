#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NeuralNet
import XCTest

/// `.loupe` model files: round trip, atomic replacement, and failures that lose nothing.
final class IOModelFileTests: XCTestCase {
    private var folder = ""

    override func setUp() { folder = IOFixtures.scratchFolder() }
    override func tearDown() { IOFixtures.removeFolder(folder) }

    private func model(_ scale: Float) -> NamedTensors {
        NamedTensors([
            ("conv1.weight", StoredTensor(shape: [4, 3, 3, 3], floats: (0..<108).map { Float($0) * scale })),
            ("bn1.num_batches_tracked", StoredTensor(shape: [], ints: [Int64(scale * 10)])),
            ("fc.bias", StoredTensor(shape: [2], floats: [scale, -scale])),
        ])
    }

    func testWriteThenReadRoundTrips() throws {
        let path = folder + "/model.loupe"
        let json = #"{"format":1,"architecture":"resnet18","classes":["cat","dog"],"input":[3,224,224]}"#
        try ModelFile.write(model(0.5), loupeMetadata: json, to: path)
        let (tensors, metadata) = try ModelFile.read(path: path)
        XCTAssertTrue(tensors.isBitIdentical(to: model(0.5)))
        XCTAssertEqual(metadata, json)
        XCTAssertEqual(IOFixtures.folderListing(folder), ["model.loupe"], "no temporary file may be left behind")
        // Any safetensors reader sees Loupe's JSON (and its checksum) as ordinary metadata.
        XCTAssertEqual(try SafeTensors.read(path: path).metadata,
                       ["loupe": json, "loupe_checksum": ModelChecksum.of(model(0.5), loupeMetadata: json)])
    }

    func testPlainSafetensorsHasNoLoupeMetadata() throws {
        let (tensors, metadata) = try ModelFile.read(path: IOFixtures.torchFolder + "/resnet18_io.safetensors")
        XCTAssertNil(metadata)
        XCTAssertEqual(tensors["x"]?.shape, [3, 3, 64, 64])
    }

    /// Overwriting replaces the file by rename: a second name for the old file (a hard link, as an
    /// open reader would have) still sees the old content, whole.
    func testOverwriteReplacesTheFileAtomically() throws {
        let path = folder + "/model.loupe"
        try ModelFile.write(model(1), loupeMetadata: "{\"v\":1}", to: path)
        chmod(path, 0o640)
        XCTAssertEqual(link(path, folder + "/old-view"), 0)
        try ModelFile.write(model(2), loupeMetadata: "{\"v\":2}", to: path)

        let (new, newJSON) = try ModelFile.read(path: path)
        XCTAssertTrue(new.isBitIdentical(to: model(2)))
        XCTAssertEqual(newJSON, "{\"v\":2}")
        let (old, oldJSON) = try ModelFile.read(path: folder + "/old-view")
        XCTAssertTrue(old.isBitIdentical(to: model(1)), "the previous file was modified in place")
        XCTAssertEqual(oldJSON, "{\"v\":1}")
        var info = stat()
        XCTAssertEqual(stat(path, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o640, "the replacement keeps the previous file's permissions")
        XCTAssertEqual(IOFixtures.folderListing(folder), ["model.loupe", "old-view"])
    }

    func testFailedWritesLeaveNothingBehind() throws {
        let missing = folder + "/no-such-folder/model.loupe"
        assertModelFileError(try ModelFile.write(model(1), loupeMetadata: "{}", to: missing),
                             mentions: [missing, "cannot write", "unchanged"])

        // A folder in the way: the rename fails, the folder and its content survive, no temporary file stays.
        let blocked = folder + "/taken"
        XCTAssertEqual(mkdir(blocked, 0o755), 0)
        IOFixtures.writeBytes([1, 2, 3], to: blocked + "/inside")
        assertModelFileError(try ModelFile.write(model(1), loupeMetadata: "{}", to: blocked), mentions: [blocked, "cannot write"])
        XCTAssertEqual(IOFixtures.folderListing(folder), ["taken"])
        XCTAssertEqual(IOFixtures.folderListing(blocked), ["inside"])
        IOFixtures.removeFolder(blocked)
    }

    func testReadingMissingAndDamagedModelFiles() throws {
        let missing = folder + "/absent.loupe"
        assertModelFileError(try ModelFile.read(path: missing), mentions: [missing, "cannot read", "no such file"])
        assertModelFileError(try ModelFile.read(path: folder), mentions: [folder, "folder"])

        let path = folder + "/model.loupe"
        try ModelFile.write(model(1), loupeMetadata: "{\"v\":1}", to: path)
        let whole = try IOFixtures.readBytes(path)
        for cut in [0, 3, 8, 50, whole.count - 100, whole.count - 1] {
            IOFixtures.writeBytes(Array(whole[..<cut]), to: path)
            assertModelFileError(try ModelFile.read(path: path), mentions: [path, cut == 0 ? "empty" : "truncated"])
        }
    }

    func testFileSizeLimitIsCheckedBeforeReading() throws {
        let path = folder + "/model.loupe"
        try ModelFile.write(model(1), loupeMetadata: "{}", to: path)
        let small = FileLimits(maxFileBytes: 100, maxHeaderBytes: 1000, maxTensorElements: 1000, maxTensorCount: 10)
        assertModelFileError(try ModelFile.read(path: path, limits: small), mentions: [path, "file size", "limit of 100 bytes"])
    }
}
