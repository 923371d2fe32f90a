/// Where a model came from: reports show it, and a fine-tune asks whether its weights were
/// learned anywhere before.
public enum ModelOrigin: Equatable, Sendable {
    /// Built with random weights (from the session's seed `seed`).
    case randomInitialisation(depth: Int, seed: UInt64)
    /// Built with torchvision's weights for the depth.
    case pretrained(depth: Int, weights: WeightsSource)
    /// A torchvision file read as `architecture` ("resnet18").
    case imported(path: String, architecture: String)
    /// A model file Loupe saved, at its version.
    case loaded(path: String, version: Int)

    /// Where pretrained weights came from.
    public enum WeightsSource: Equatable, Sendable {
        /// torchvision's ImageNet weights of the depth: their version ("IMAGENET1K_V1") and file.
        case imagenet(version: String, fileName: String)
        case url(String)
        case file(String)
    }

    /// Whether the weights were drawn at random rather than learned somewhere.
    public var isRandomInitialisation: Bool {
        if case .randomInitialisation = self { return true }
        return false
    }
}
