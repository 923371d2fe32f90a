/// The residual block a ResNet is made of.
public enum BlockKind: String, Codable, Sendable { case basic, bottleneck }

/// The first layers: torchvision's 7x7/2 convolution + 3x3/2 max-pool, or a 3x3/1 convolution
/// without pooling for small images (CIFAR style).
public enum Stem: String, Codable, Sendable, CaseIterable { case imagenet, small }

/// Everything that fixes a ResNet's architecture (and so its parameter layout).
public struct ResNetConfig: Codable, Sendable, Equatable {
    public var depth: Int
    /// The block kind of each stage (torchvision's nets use one kind throughout).
    public var stageKinds: [BlockKind]
    public var stages: [Int]
    public var widths: [Int]
    public var stem: Stem
    public var inputChannels: Int
    public var classes: Int
    /// Units of an optional hidden layer (with ReLU and dropout) before the output layer.
    public var hidden: Int?
    /// Dropout before the output layer when `hidden` is set.
    public var dropout: Float

    public init(depth: Int, block: BlockKind, stages: [Int], widths: [Int], stem: Stem,
                inputChannels: Int, classes: Int, hidden: Int? = nil, dropout: Float = 0.5) {
        self.init(depth: depth, stageKinds: Array(repeating: block, count: stages.count), stages: stages, widths: widths,
                  stem: stem, inputChannels: inputChannels, classes: classes, hidden: hidden, dropout: dropout)
    }

    public init(depth: Int, stageKinds: [BlockKind], stages: [Int], widths: [Int], stem: Stem,
                inputChannels: Int, classes: Int, hidden: Int? = nil, dropout: Float = 0.5) {
        precondition(stageKinds.count == stages.count && widths.count == stages.count, "one kind and width per stage")
        self.depth = depth; self.stageKinds = stageKinds; self.stages = stages; self.widths = widths
        self.stem = stem; self.inputChannels = inputChannels; self.classes = classes
        self.hidden = hidden; self.dropout = dropout
    }

    /// Depths Loupe builds: torchvision's ImageNet family and the CIFAR family.
    public static let supportedDepths = [18, 34, 50, 101, 152, 20, 32, 56]

    /// The standard layout for a depth: 18/34/50/101/152 as torchvision, 20/32/56 CIFAR style
    /// (3x3 stem of 16, widths 16/32/64, 1x1 projection shortcuts).
    public static func resnet(depth: Int, classes: Int, inputChannels: Int = 3, stem: Stem? = nil,
                              hidden: Int? = nil, dropout: Float = 0.5) throws -> ResNetConfig {
        guard classes >= 1 else { throw NeuralNetError.invalidArgument("classes must be at least 1, got \(classes)") }
        guard (1...64).contains(inputChannels) else {
            throw NeuralNetError.invalidArgument("channels must be between 1 and 64, got \(inputChannels)")
        }
        if let h = hidden, !(16...4096).contains(h) {
            throw NeuralNetError.invalidArgument("head must have between 16 and 4096 units, got \(h)")
        }
        guard dropout >= 0 && dropout < 1 else {
            throw NeuralNetError.invalidArgument("dropout must be in [0, 1), got \(dropout)")
        }
        let imagenetWidths = [64, 128, 256, 512]
        switch depth {
        case 18: return .init(depth: 18, block: .basic, stages: [2, 2, 2, 2], widths: imagenetWidths, stem: stem ?? .imagenet, inputChannels: inputChannels, classes: classes, hidden: hidden, dropout: dropout)
        case 34: return .init(depth: 34, block: .basic, stages: [3, 4, 6, 3], widths: imagenetWidths, stem: stem ?? .imagenet, inputChannels: inputChannels, classes: classes, hidden: hidden, dropout: dropout)
        case 50: return .init(depth: 50, block: .bottleneck, stages: [3, 4, 6, 3], widths: imagenetWidths, stem: stem ?? .imagenet, inputChannels: inputChannels, classes: classes, hidden: hidden, dropout: dropout)
        case 101: return .init(depth: 101, block: .bottleneck, stages: [3, 4, 23, 3], widths: imagenetWidths, stem: stem ?? .imagenet, inputChannels: inputChannels, classes: classes, hidden: hidden, dropout: dropout)
        case 152: return .init(depth: 152, block: .bottleneck, stages: [3, 8, 36, 3], widths: imagenetWidths, stem: stem ?? .imagenet, inputChannels: inputChannels, classes: classes, hidden: hidden, dropout: dropout)
        case 20, 32, 56:
            let n = (depth - 2) / 6
            return .init(depth: depth, block: .basic, stages: [n, n, n], widths: [16, 32, 64], stem: .small, inputChannels: inputChannels, classes: classes, hidden: hidden, dropout: dropout)
        default:
            let nearest = supportedDepths.min { abs($0 - depth) < abs($1 - depth) }!
            throw NeuralNetError.invalidArgument("no ResNet of depth \(depth); choose one of 18, 34, 50, 101, 152 (ImageNet style) or 20, 32, 56 (CIFAR style) — did you mean \(nearest)?")
        }
    }

    /// Width of the first convolution's output.
    public var stemWidth: Int { widths[0] }
    /// Channels that reach the global pool.
    public var featureWidth: Int { widths.last! * (stageKinds.last == .bottleneck ? Bottleneck.expansion : 1) }
    /// A readable name such as "resnet18" or "resnet20".
    public var name: String { "resnet\(depth)" }
}

/// Errors of the NeuralNet layer that a user can cause.
public enum NeuralNetError: Error, CustomStringConvertible, Equatable {
    case invalidArgument(String)
    case stateMismatch(String)

    public var description: String {
        switch self {
        case .invalidArgument(let m): return m
        case .stateMismatch(let m): return m
        }
    }
}
