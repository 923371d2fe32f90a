/// How pixels are normalised before they reach the network.
public struct Normalization: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case imagenet, dataset, none }
    public var kind: Kind
    public var mean: [Float]
    public var std: [Float]

    public init(kind: Kind, mean: [Float], std: [Float]) { self.kind = kind; self.mean = mean; self.std = std }

    /// ImageNet's statistics (torchvision), grey images use the mean of the three channels.
    public static func imagenet(channels: Int) -> Normalization {
        channels == 1 ? .init(kind: .imagenet, mean: [0.449], std: [0.226])
                      : .init(kind: .imagenet, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
    }

    public static func none(channels: Int) -> Normalization {
        .init(kind: .none, mean: [Float](repeating: 0, count: channels), std: [Float](repeating: 1, count: channels))
    }
}

/// Everything a `.loupe` file records beside the weights (`__metadata__["loupe"]`, JSON).
public struct ModelMetadata: Codable, Sendable, Equatable {
    /// 2: the file carries a checksum of its tensors and metadata (`ModelChecksum`), required
    /// from this format on; format 1 files, which have none, still load.
    public static let currentFormat = 2
    public var format: Int = ModelMetadata.currentFormat
    public var architecture: ResNetConfig
    public var classNames: [String]
    public var inputWidth: Int
    public var inputHeight: Int
    public var normalization: Normalization
    /// The share of the image a centre crop keeps before the resize to the input (the
    /// preprocessing of torchvision's pretrained weights, e.g. 224/256); nil: the whole image.
    public var crop: Double?
    /// Increments on every save of the same model (the prediction log records it).
    public var version: Int = 1
    /// A stable identifier of the model lineage.
    public var id: String
    /// The training configuration and history, as JSON written by the workflow layer.
    public var training: String?
    /// A fingerprint of the dataset the model was trained on.
    public var datasetFingerprint: String?

    public init(architecture: ResNetConfig, classNames: [String], inputWidth: Int, inputHeight: Int,
                normalization: Normalization, id: String, training: String? = nil, datasetFingerprint: String? = nil,
                crop: Double? = nil) {
        self.architecture = architecture; self.classNames = classNames; self.crop = crop
        self.inputWidth = inputWidth; self.inputHeight = inputHeight
        self.normalization = normalization; self.id = id
        self.training = training; self.datasetFingerprint = datasetFingerprint
    }
}
