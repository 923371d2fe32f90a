import NeuralNet

// libFuzzer entry point: a `.pth` (zip + restricted pickle) is read or refused, never trapped on
// and never executed. Limits bound what one input may allocate.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPth(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = FileLimits(maxFileBytes: 1 << 24, maxHeaderBytes: 1 << 20, maxTensorElements: 1 << 22, maxTensorCount: 10_000)
    _ = try? TorchCheckpoint.readStateDict(bytes: bytes, source: "fuzz.pth", limits: limits)
    return 0
}
