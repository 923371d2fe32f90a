/// Upper bounds on what a model file may ask Loupe to allocate.
///
/// Sizes read from a file are checked against these before any buffer is allocated, so a
/// corrupt or hostile file is refused with a message instead of exhausting memory.
public struct FileLimits: Sendable, Equatable {
    /// Largest file Loupe reads whole into memory.
    public var maxFileBytes: Int
    /// Largest safetensors JSON header, and largest pickle inside a `.pth`.
    public var maxHeaderBytes: Int
    /// Largest number of elements in one tensor.
    public var maxTensorElements: Int
    /// Largest number of tensors in one file.
    public var maxTensorCount: Int

    public init(maxFileBytes: Int, maxHeaderBytes: Int, maxTensorElements: Int, maxTensorCount: Int) {
        self.maxFileBytes = maxFileBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxTensorElements = maxTensorElements
        self.maxTensorCount = maxTensorCount
    }

    /// 4 GiB files, 100 MB headers (the safetensors library's own bound), 2^31 elements per
    /// tensor, 100 000 tensors: far above any ResNet a CPU trains, far below absurd.
    public static let `default` = FileLimits(
        maxFileBytes: 1 << 32,
        maxHeaderBytes: 100_000_000,
        maxTensorElements: 1 << 31,
        maxTensorCount: 100_000)
}
