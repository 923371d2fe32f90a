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
    public static func write(_ tensors: NamedTensors, loupeMetadata: String, to path: String) throws(ModelFileError) {
        try SafeTensors.write(tensors, metadata: [metadataKey: loupeMetadata], to: path)
    }

    /// Reads a model file: its tensors, and Loupe's JSON if the file has it (a plain
    /// safetensors file, e.g. exported from PyTorch, has none).
    public static func read(path: String, limits: FileLimits = .default) throws(ModelFileError) -> (tensors: NamedTensors, loupeMetadata: String?) {
        let (tensors, metadata) = try SafeTensors.read(path: path, limits: limits)
        return (tensors, metadata[metadataKey])
    }
}
