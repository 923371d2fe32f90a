/// Reads PyTorch state dicts saved by `torch.save` (PyTorch 1.6 and later: a zip archive of a
/// pickle and raw storages), without running anything from the file.
///
/// The pickle goes through `RestrictedUnpickler`, which knows only the opcodes and globals a
/// state dict uses; tensors are then copied out of their storages, which must be contiguous.
/// A checkpoint dict that holds the weights under `state_dict`, `model_state_dict` or `model`
/// (and other plain values beside them) is accepted too.
public enum TorchCheckpoint {
    /// Reads the state dict in the `.pth` file at `path`, in the order the file lists it.
    public static func readStateDict(path: String, limits: FileLimits = .default) throws(ModelFileError) -> NamedTensors {
        try readStateDict(bytes: FileSystem.readWholeFile(path, limits: limits), source: path, limits: limits)
    }

    /// Reads a state dict from `.pth` bytes already in memory; `source` names them in errors.
    public static func readStateDict(bytes: [UInt8], source: String, limits: FileLimits = .default) throws(ModelFileError) -> NamedTensors {
        guard !bytes.isEmpty else { throw .empty(path: source) }
        if !bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) { throw .notTorchArchive(path: source, reason: describeForeignStart(bytes)) }
        let archive = try StoredZipArchive(bytes: bytes, source: source)
        let pickles = archive.names.filter { $0.hasSuffix("data.pkl") && ($0 == "data.pkl" || $0.hasSuffix("/data.pkl")) }
        guard let pickleName = pickles.first else {
            throw .notTorchArchive(path: source, reason: "the zip archive has no data.pkl entry")
        }
        guard pickles.count == 1 else {
            throw .corruptArchive(path: source, reason: "it holds \(pickles.count) data.pkl entries, so which one to read is ambiguous")
        }
        let prefix = String(pickleName.dropLast("data.pkl".count))
        if let order = try archive.verifiedRange(of: prefix + "byteorder"),
           !archive.bytes[order].elementsEqual("little".utf8) {
            throw .notTorchArchive(path: source, reason: "its storages are big-endian; save it on a little-endian machine")
        }
        let pickleRange = try archive.verifiedRange(of: pickleName)!
        guard pickleRange.count <= limits.maxHeaderBytes else {
            throw .overLimit(path: source, what: "the pickle \(pickleName)", value: "\(pickleRange.count) bytes", limit: "\(limits.maxHeaderBytes) bytes")
        }

        let storages = StorageCache()
        var unpickler = RestrictedUnpickler(archive.bytes[pickleRange], source: source, limits: limits) {
            (type, key, count, offset) throws(ModelFileError) -> StorageReference in
            if let known = storages.byKey[key] { return known }
            let entryName = prefix + "data/" + key
            guard let range = try archive.verifiedRange(of: entryName) else {
                throw .corruptArchive(path: source, reason: "the pickle (byte \(offset)) names storage '\(entryName)', which the archive lacks")
            }
            let (bytesNeeded, overflow) = count.multipliedReportingOverflow(by: type.byteWidth)
            guard !overflow, bytesNeeded == range.count else {
                throw .corruptArchive(path: source, reason: "storage '\(entryName)' holds \(range.count) bytes, but the pickle "
                    + "says \(count) elements of \(type.byteWidth) bytes")
            }
            let storage = StorageReference(key: key, type: type, elementCount: count, range: range)
            storages.byKey[key] = storage
            return storage
        }
        let root = try unpickler.run()
        let recipes = try stateDictEntries(root, source: source)
        guard recipes.count <= limits.maxTensorCount else {
            throw .overLimit(path: source, what: "the number of tensors", value: "\(recipes.count)", limit: "\(limits.maxTensorCount)")
        }
        var tensors = NamedTensors()
        for (name, recipe) in recipes {
            tensors[name] = try materialize(recipe, name: name, from: archive.bytes, source: source, limits: limits)
        }
        return tensors
    }

    /// Storages already resolved, so a storage shared by many tensors is checked once.
    private final class StorageCache {
        var byKey: [String: StorageReference] = [:]
    }

    /// The (name, tensor) pairs of the unpickled root: a dict of tensors, or a checkpoint dict
    /// holding one under a conventional key.
    private static func stateDictEntries(_ root: PickleValue, source: String) throws(ModelFileError) -> [(String, TensorRecipe)] {
        guard case .dict(let dict) = root else {
            throw .notAStateDict(path: source, reason: "the pickle holds \(root.kind), not a dict of tensors")
        }
        var entries: [(String, TensorRecipe)] = []
        var firstProblem: String?
        for (key, value) in dict.items {
            guard case .string(let name) = key else {
                firstProblem = firstProblem ?? "a key is \(key.kind), not a name"
                continue
            }
            guard case .tensor(let recipe) = value else {
                firstProblem = firstProblem ?? "'\(name)' holds \(value.kind), not a tensor"
                continue
            }
            entries.append((name, recipe))
        }
        guard let problem = firstProblem else { return entries }
        for nestedKey in ["state_dict", "model_state_dict", "model"] {
            if let nested = dict.items.first(where: { if case .string(nestedKey) = $0.key { true } else { false } }),
               case .dict = nested.value {
                return try stateDictEntries(nested.value, source: source)
            }
        }
        throw .notAStateDict(path: source, reason: problem)
    }

    /// Copies a tensor out of its storage after checking its size, contiguity and bounds.
    private static func materialize(
        _ recipe: TensorRecipe, name: String, from bytes: [UInt8], source: String, limits: FileLimits
    ) throws(ModelFileError) -> StoredTensor {
        guard recipe.shape.allSatisfy({ $0 >= 0 }), recipe.offset >= 0 else {
            throw .corruptArchive(path: source, reason: "tensor '\(name)' has a negative size or offset")
        }
        var count = 1
        var overflow = false
        for d in recipe.shape {
            let (product, o) = count.multipliedReportingOverflow(by: d)
            count = product
            overflow = overflow || o
        }
        if recipe.shape.contains(0) { count = 0; overflow = false }
        guard !overflow, count <= limits.maxTensorElements else {
            throw .overLimit(path: source, what: "the element count of tensor '\(name)' (shape \(recipe.shape))",
                             value: overflow ? "more than 2^63" : "\(count)", limit: "\(limits.maxTensorElements)")
        }
        if count > 0 {
            // Row-major strides; a dimension of size 1 may carry any stride, as in PyTorch.
            var expected = 1
            for (size, stride) in zip(recipe.shape, recipe.stride).reversed() {
                if size != 1 && stride != expected {
                    throw .nonContiguous(path: source, tensor: name, shape: recipe.shape, stride: recipe.stride)
                }
                expected *= size
            }
        }
        let storage = recipe.storage
        guard recipe.offset <= storage.elementCount, count <= storage.elementCount - recipe.offset else {
            // An offset near Int.max is possible in a hostile file: the end must not overflow.
            let (end, overflow) = recipe.offset.addingReportingOverflow(count)
            let elements = overflow ? "\(count) elements from element \(recipe.offset)" : "elements \(recipe.offset)..<\(end)"
            throw .corruptArchive(path: source, reason: "tensor '\(name)' reads \(elements) "
                + "of storage 'data/\(storage.key)', which holds \(storage.elementCount)")
        }
        return storage.type.decode(bytes, offset: storage.range.lowerBound + recipe.offset * storage.type.byteWidth,
                                   count: count, shape: recipe.shape)
    }

    /// Why bytes that do not start like a zip archive are not a torch.save file.
    private static func describeForeignStart(_ bytes: [UInt8]) -> String {
        if bytes.count >= 2, bytes[0] == 0x80, bytes[1] <= 5 {
            return "it is a bare pickle, the legacy format of PyTorch before 1.6 or of _use_new_zipfile_serialization=False"
        }
        if bytes.count >= 9, bytes[8] == UInt8(ascii: "{") {
            return "it looks like a safetensors file; import it under a .safetensors name"
        }
        return "it does not start with a zip header"
    }
}
