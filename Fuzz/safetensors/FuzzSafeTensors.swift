import NeuralNet

// libFuzzer entry point: a safetensors file is read or refused with a ModelFileError, never trapped on.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = FileLimits(maxFileBytes: 1 << 24, maxHeaderBytes: 1 << 20, maxTensorElements: 1 << 22, maxTensorCount: 10_000)
    _ = try? SafeTensors.read(bytes: bytes, source: "fuzz.safetensors", limits: limits)
    return 0
}
