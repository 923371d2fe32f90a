import LoupeLang
import NeuralNet
import Workflow

/// A model in the session: the network, its classes and preprocessing. Commands such as
/// `freeze`, `reset_head` and `train` change it in place.
public final class ModelValue: LoupeObject {
    public var model: ResNet
    public var metadata: ModelMetadata
    /// Where the model came from, for reports (`text`: "resnet20, random initialisation (seed 0)").
    public var origin: ModelOrigin?
    /// Whether this model was loaded from or saved to a file: the next save bumps the version.
    public var hasBeenSaved = false
    /// The rates `lr_range` and `lr_find` last gave for this model on a dataset (the dataset
    /// object's identity), so that each can say when the other disagrees.
    var rangeBest: (dataset: ObjectIdentifier, rate: Double)?
    var findSuggestion: (dataset: ObjectIdentifier, rate: Double)?

    public init(model: ResNet, metadata: ModelMetadata) {
        self.model = model
        self.metadata = metadata
    }

    public var kind: String { "model" }

    public var summary: String {
        let c = model.config
        let frozen = model.backboneFrozen ? ", backbone frozen (\(formatCount(model.trainableParameterCount)) trainable)" : ""
        return "\(c.name) (\(c.stem == .small ? "small stem" : "ImageNet stem")), \(formatCount(model.parameterCount)) parameters, "
            + "\(c.classes) classes, input \(metadata.inputWidth)x\(metadata.inputHeight) \(c.inputChannels == 1 ? "grey" : "RGB")\(frozen)"
    }

    public var attributeNames: [String] { ["arch", "classes", "params", "trainable", "input", "channels", "frozen", "version"] }

    public func attribute(named name: String) -> Value? {
        switch name {
        case "arch": return .string(model.config.name)
        case "classes": return .list(metadata.classNames.map { .string($0) })
        case "params": return .integer(model.parameterCount)
        case "trainable": return .integer(model.trainableParameterCount)
        case "input": return .size(width: metadata.inputWidth, height: metadata.inputHeight)
        case "channels": return .integer(model.config.inputChannels)
        case "frozen": return .bool(model.backboneFrozen)
        case "version": return .integer(metadata.version)
        default: return nil
        }
    }
}

extension ModelOrigin {
    /// The origin as reports show it: "resnet20, random initialisation (seed 0)", "resnet18,
    /// torchvision IMAGENET1K_V1 ImageNet weights (resnet18-f37072fd.pth)", "imported from
    /// FILE (resnet18)", "loaded from FILE (version 2)".
    var text: String {
        switch self {
        case .randomInitialisation(let depth, let seed): return "resnet\(depth), random initialisation (seed \(seed))"
        case .pretrained(let depth, .imagenet(let version, let fileName)): return "resnet\(depth), torchvision \(version) ImageNet weights (\(fileName))"
        case .pretrained(let depth, .url(let url)): return "resnet\(depth), weights from \(url)"
        case .pretrained(let depth, .file(let file)): return "resnet\(depth), weights from \(file)"
        case .imported(let path, let architecture): return "imported from \(path) (\(architecture))"
        case .loaded(let path, let version): return "loaded from \(path) (version \(version))"
        }
    }
}

extension ModelValue {
    /// `help model`: the kind and the attributes it answers (KindDocTests compares them with `attributeNames`).
    public static var kindDoc: KindDoc {
        KindDoc(kind: "model", summary: "a ResNet with its classes and preprocessing (resnet, import_model, load_model)", attributes: [
            ("arch", "the architecture, e.g. \"resnet20\""),
            ("classes", "class names, in output order"),
            ("params", "number of parameters"),
            ("trainable", "parameters that train (fewer when frozen)"),
            ("input", "input size WxH"),
            ("channels", "input channels (1 grey, 3 RGB)"),
            ("frozen", "whether the backbone is frozen"),
            ("version", "increments on every save"),
        ])
    }
}
