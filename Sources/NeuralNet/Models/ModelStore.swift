import Foundation

/// Saving and loading `.loupe` models, and importing torchvision ResNets.
public enum ModelStore {
    /// The model's state as named tensors in torchvision's names and PyTorch's layouts.
    public static func tensors(of model: ResNet) -> NamedTensors {
        NamedTensors(model.state().map { s in
            (s.name, s.isInteger ? StoredTensor(shape: s.shape, ints: s.values.map { Int64($0) })
                                 : StoredTensor(shape: s.shape, floats: s.values))
        })
    }

    /// Writes weights and metadata atomically (temporary file, flush, rename): a failed save
    /// leaves any previous file intact.
    public static func save(_ model: ResNet, metadata: ModelMetadata, to path: String) throws {
        guard metadata.architecture == model.config else {
            throw NeuralNetError.stateMismatch("metadata describes \(metadata.architecture.name) but the model is \(model.config.name)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var metadata = metadata
        metadata.format = ModelMetadata.currentFormat  // with a checksum, whatever format it was read from
        let json = String(decoding: try encoder.encode(metadata), as: UTF8.self)
        try ModelFile.write(tensors(of: model), loupeMetadata: json, to: path)
    }

    /// Reads a `.loupe` model: the network with its weights and statistics, and its metadata.
    public static func load(path: String, limits: FileLimits = .default) throws -> (ResNet, ModelMetadata) {
        try load(ModelFile.readWithChecksum(path: path, limits: limits), path: path)
    }

    /// Reads a `.loupe` model from its bytes (`path` names it in errors).
    public static func load(bytes: [UInt8], path: String, limits: FileLimits = .default) throws -> (ResNet, ModelMetadata) {
        try load(ModelFile.readWithChecksum(bytes: bytes, source: path, limits: limits), path: path)
    }

    private static func load(_ file: ModelFileContent, path: String) throws -> (ResNet, ModelMetadata) {
        let (tensors, json) = (file.tensors, file.loupeMetadata)
        guard let json else {
            throw ModelStoreError.noLoupeMetadata(path: path)
        }
        let metadata: ModelMetadata
        do { metadata = try JSONDecoder().decode(ModelMetadata.self, from: Data(json.utf8)) } catch {
            throw ModelStoreError.notALoupeModel(path: path, reason: "its metadata is not valid (\(error.localizedDescription))")
        }
        // Before anything is built from the file: a damaged file is refused, never half-used.
        if let stored = file.checksum {
            let computed = ModelChecksum.of(tensors, loupeMetadata: json)
            guard stored == computed else {
                throw ModelStoreError.notALoupeModel(path: path, reason: "it is damaged: its weights or metadata do not match the checksum "
                    + "it was saved with (\(stored.prefix(20)), now \(computed)); load an earlier copy or a checkpoint of its run")
            }
        } else if metadata.format >= 2 {
            throw ModelStoreError.notALoupeModel(path: path, reason: "its checksum is missing (a format \(metadata.format) file carries one): "
                + "the file was damaged or edited; load an earlier copy or a checkpoint of its run")
        }
        try metadata.validate(path: path, elementsInFile: tensors.reduce(0) { $0 + $1.tensor.elementCount })
        let model = ResNet(metadata.architecture, seed: 0)
        do { try model.load(state: lookup(tensors)) } catch {
            throw ModelStoreError.notALoupeModel(path: path, reason: "\(error)")
        }
        return (model, metadata)
    }

    /// Imports a torchvision ResNet state dict (`.pth` zip+pickle or `.safetensors`, by content).
    /// With `classes` different from the file's output layer, a new output layer replaces it.
    public static func importTorchvision(path: String, depth: Int, classes: Int?, seed: UInt64, limits: FileLimits = .default) throws -> ResNet {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw ModelFileError.cannotRead(path: path, reason: error.localizedDescription)
        }
        let tensors: NamedTensors
        if bytes.starts(with: [0x50, 0x4B]) {
            tensors = try TorchCheckpoint.readStateDict(bytes: bytes, source: path, limits: limits)
        } else {
            tensors = try SafeTensors.read(bytes: bytes, source: path, limits: limits).tensors
        }
        guard let fc = tensors["fc.weight"], fc.shape.count == 2, let conv1 = tensors["conv1.weight"], conv1.shape.count == 4 else {
            throw ModelStoreError.notALoupeModel(path: path, reason: "it has no conv1.weight / fc.weight: not a torchvision ResNet state dict")
        }
        let stem: Stem = conv1.shape[2] == 7 ? .imagenet : .small
        let fileConfig = try ResNetConfig.resnet(depth: depth, classes: fc.shape[0], inputChannels: conv1.shape[1], stem: stem)
        let model = ResNet(fileConfig, seed: seed)
        do { try model.load(state: lookup(tensors)) } catch {
            throw ModelStoreError.weightsDoNotFit(path: path, depth: depth, reason: "\(error)")
        }
        if let classes, classes != fileConfig.classes { return try model.withNewHead(classes: classes, seed: seed) }
        return model
    }

    static func lookup(_ tensors: NamedTensors) -> (String) -> (shape: [Int], values: [Float])? {
        { name in tensors[name].map { (shape: $0.shape, values: $0.valuesAsFloats) } }
    }
}

/// A file that is readable but is not a model Loupe can use.
public enum ModelStoreError: Error, CustomStringConvertible, Equatable {
    case notALoupeModel(path: String, reason: String)
    /// A weights file without Loupe's metadata: torchvision's, most likely (imported, not loaded).
    case noLoupeMetadata(path: String)
    /// The file's tensors do not fit a ResNet of `depth` (another architecture's weights).
    case weightsDoNotFit(path: String, depth: Int, reason: String)

    public var description: String {
        switch self {
        case .notALoupeModel(let path, let reason): return "\(path): not a usable model: \(reason)"
        case .noLoupeMetadata(let path): return "\(path): not a usable model: it has no Loupe metadata (torchvision weights?)"
        case .weightsDoNotFit(let path, let depth, let reason): return "\(path): not ResNet-\(depth) weights: \(reason)"
        }
    }
}
