import Foundation
import NeuralNet

// libFuzzer entry point: a `.loupe` model (safetensors + Loupe's JSON metadata, validated
// against the architecture before a network is allocated) loads or is refused, never trapped on.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModel(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = FileLimits(maxFileBytes: 1 << 24, maxHeaderBytes: 1 << 20, maxTensorElements: 1 << 22, maxTensorCount: 10_000)
    _ = try? ModelStore.load(bytes: bytes, path: "fuzz.loupe", limits: limits)
    // Mutations almost never keep the checksum right: load again with it made right, so the
    // metadata validation and the loading of weights behind it are fuzzed too.
    if let content = try? ModelFile.readWithChecksum(bytes: bytes, source: "fuzz.loupe", limits: limits),
       let json = content.loupeMetadata, !content.checksumMatches {
        let fixed = SafeTensors.encode(content.tensors, metadata: [ModelFile.metadataKey: json,
                                                                   ModelChecksum.metadataKey: ModelChecksum.of(content.tensors, loupeMetadata: json)])
        _ = try? ModelStore.load(bytes: fixed, path: "fuzz.loupe", limits: limits)
    }
    return 0
}

// `LOUPE_FUZZ_WRITE_SEED=DIR fuzz-model` writes a small valid model into DIR and exits: the seed
// of the corpus (scripts/fuzz). A ResNet with 2-channel stages keeps it a few kilobytes.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzModelInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    guard let folder = ProcessInfo.processInfo.environment["LOUPE_FUZZ_WRITE_SEED"] else { return 0 }
    do {
        var config = try ResNetConfig.resnet(depth: 20, classes: 2, inputChannels: 1, hidden: 16)
        config.stages = [1, 1]
        config.widths = [2, 4]
        config.stageKinds = [config.stageKinds[0], config.stageKinds[0]]
        let model = ResNet(config, seed: 1)
        let meta = ModelMetadata(architecture: config, classNames: ["a", "b"], inputWidth: 8, inputHeight: 8,
                                 normalization: .none(channels: 1), id: "fuzz-seed")
        try ModelStore.save(model, metadata: meta, to: folder + "/tiny.loupe")
        _ = try ModelStore.load(path: folder + "/tiny.loupe")
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("cannot write the seed: \(error)\n".utf8))
        exit(1)
    }
}
