/// The `.loupe` model file: a safetensors file whose `__metadata__["loupe"]` holds a JSON
/// document (format version, architecture, class names, normalisation, history…).
///
/// This layer treats the JSON as an opaque string: the caller that knows its schema encodes
/// and decodes it, so model files stay readable by any safetensors reader.
public enum ModelFile {
    /// The `__metadata__` key that holds Loupe's JSON.
    public static let metadataKey = "loupe"

    /// Writes `tensors` and `loupeMetadata` to `path` atomically: the file is written beside
    /// the destination, flushed to disk and renamed over it, so a failed or interrupted save
    /// leaves any previous file intact.
    /// The file carries `ModelChecksum.of(tensors, loupeMetadata)` beside the JSON.
    public static func write(_ tensors: NamedTensors, loupeMetadata: String, to path: String) throws(ModelFileError) {
        try SafeTensors.write(tensors, metadata: [metadataKey: loupeMetadata,
                                                  ModelChecksum.metadataKey: ModelChecksum.of(tensors, loupeMetadata: loupeMetadata)], to: path)
    }

    /// Reads a model file: its tensors, and Loupe's JSON if the file has it (a plain
    /// safetensors file, e.g. exported from PyTorch, has none).
    public static func read(path: String, limits: FileLimits = .default) throws(ModelFileError) -> (tensors: NamedTensors, loupeMetadata: String?) {
        let file = try readWithChecksum(path: path, limits: limits)
        return (file.tensors, file.loupeMetadata)
    }

    /// Reads a model file with the checksum it carries (`nil` in files before format 2).
    public static func readWithChecksum(path: String, limits: FileLimits = .default) throws(ModelFileError) -> ModelFileContent {
        let (tensors, metadata) = try SafeTensors.read(path: path, limits: limits)
        return ModelFileContent(tensors: tensors, loupeMetadata: metadata[metadataKey], checksum: metadata[ModelChecksum.metadataKey])
    }

    /// Reads a model file from its bytes (`source` names it in errors).
    public static func readWithChecksum(bytes: [UInt8], source: String, limits: FileLimits = .default) throws(ModelFileError) -> ModelFileContent {
        let (tensors, metadata) = try SafeTensors.read(bytes: bytes, source: source, limits: limits)
        return ModelFileContent(tensors: tensors, loupeMetadata: metadata[metadataKey], checksum: metadata[ModelChecksum.metadataKey])
    }
}

/// What a model file holds: its tensors, Loupe's JSON and the checksum written beside it.
public struct ModelFileContent: Sendable {
    public var tensors: NamedTensors
    public var loupeMetadata: String?
    public var checksum: String?

    /// Whether the stored checksum matches the content (false when there is none).
    public var checksumMatches: Bool {
        guard let checksum, let loupeMetadata else { return false }
        return checksum == ModelChecksum.of(tensors, loupeMetadata: loupeMetadata)
    }
}
