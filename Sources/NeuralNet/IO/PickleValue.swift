/// A value on the restricted pickle machine's stack.
///
/// Only what a state dict is built from can exist: numbers, strings, containers, the few
/// allowed globals, storages named by persistent id, and tensor recipes. Nothing here can run
/// code; an allowed global is a tag the machine interprets itself.
enum PickleValue {
    case int(Int64)
    case bool(Bool)
    case none
    case float(Double)
    case string(String)
    /// A tuple and its nesting depth (1 + its deepest item), fixed when it is built.
    case tuple([PickleValue], depth: Int)
    case list(PickleList)
    case dict(PickleDict)
    case global(AllowedGlobal)
    case storage(StorageReference)
    case tensor(TensorRecipe)

    /// How deeply containers nest inside this value: 0 for a number, 1 for `[]`, 2 for `[[]]`.
    var nesting: Int {
        switch self {
        case .tuple(_, let depth): depth
        case .list(let list): list.depth
        case .dict(let dict): dict.depth
        default: 0
        }
    }

    /// Marks a list or dict as placed inside another value: it may not change any more.
    func freeze() {
        switch self {
        case .list(let list): list.frozen = true
        case .dict(let dict): dict.frozen = true
        default: break
        }
    }

    /// A short name of the kind of value, for error messages.
    var kind: String {
        switch self {
        case .int(let n): "the integer \(n)"
        case .bool(let b): "\(b ? "True" : "False")"
        case .none: "None"
        case .float(let x): "the number \(x)"
        case .string(let s): "the string '\(s.prefix(40))'"
        case .tuple(let t, _): "a tuple of \(t.count)"
        case .list: "a list"
        case .dict: "a dict"
        case .global(let g): "\(g)"
        case .storage: "a storage"
        case .tensor: "a tensor"
        }
    }
}

/// A pickled list; a class because pickle mutates containers after memoising them.
///
/// `pickle.dump` fills a container completely before it places it inside another one, so a
/// container is frozen once placed: changing it afterwards could only build a cycle (a list
/// that holds itself), which `RestrictedUnpickler` refuses. Its depth is therefore final too.
final class PickleList {
    var elements: [PickleValue] = []
    var depth = 1
    var frozen = false
}

/// A pickled dict or OrderedDict, keeping insertion order (frozen once placed, as `PickleList`).
final class PickleDict {
    var items: [(key: PickleValue, value: PickleValue)] = []
    var depth = 1
    var frozen = false
}

/// The only globals a pickled state dict may name.
enum AllowedGlobal: CustomStringConvertible {
    case orderedDict
    case rebuildTensorV2
    case storageType(FileElementType, name: String)

    init?(module: String, name: String) {
        switch (module, name) {
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensorV2
        case ("torch", _):
            guard let type = AllowedGlobal.storageTypes[name] else { return nil }
            self = .storageType(type, name: name)
        default: return nil
        }
    }

    /// Legacy typed storages that torch.save still names in persistent ids.
    private static let storageTypes: [String: FileElementType] = [
        "FloatStorage": .f32, "HalfStorage": .f16, "BFloat16Storage": .bf16, "DoubleStorage": .f64,
        "LongStorage": .i64, "IntStorage": .i32, "ShortStorage": .i16, "CharStorage": .i8, "ByteStorage": .u8,
    ]

    var description: String {
        switch self {
        case .orderedDict: "collections.OrderedDict"
        case .rebuildTensorV2: "torch._utils._rebuild_tensor_v2"
        case .storageType(_, let name): "torch.\(name)"
        }
    }
}

/// A storage named by a persistent id: archive entry `data/<key>` holding `elementCount` elements.
struct StorageReference {
    let key: String
    let type: FileElementType
    let elementCount: Int
    /// The entry's bytes in the archive, checked to hold exactly `elementCount` elements.
    let range: Range<Int>
}

/// `_rebuild_tensor_v2(storage, offset, size, stride, …)` as read, checked only when the
/// tensor's name is known (see `TorchCheckpoint`) so that errors can name it.
struct TensorRecipe {
    let storage: StorageReference
    let offset: Int
    let shape: [Int]
    let stride: [Int]
}
