/// torchvision's default ImageNet weights for each ResNet depth, as `weights=imagenet` means
/// them: where they are, the sha256 prefix in their name, and the preprocessing they expect.
public struct ImageNetWeights: Sendable, Equatable {
    public var depth: Int
    /// The file name, `resnet18-f37072fd.pth` (torch.hub's `NAME-<sha256 prefix>.pth`).
    public var fileName: String
    /// torchvision's name for the weights ("IMAGENET1K_V1").
    public var version: String
    /// Resize the shorter side to this, then centre-crop `crop`×`crop`.
    public var resize: Int
    public var crop: Int

    /// torchvision's download folder; `LOUPE_WEIGHTS_URL` replaces it (a mirror).
    public static let baseURL = "https://download.pytorch.org/models/"

    /// IMAGENET1K_V1 for 18 and 34, V2 for 50, 101 and 152 (torchvision's defaults).
    public static let table: [ImageNetWeights] = [
        ImageNetWeights(depth: 18, fileName: "resnet18-f37072fd.pth", version: "IMAGENET1K_V1", resize: 256, crop: 224),
        ImageNetWeights(depth: 34, fileName: "resnet34-b627a593.pth", version: "IMAGENET1K_V1", resize: 256, crop: 224),
        ImageNetWeights(depth: 50, fileName: "resnet50-11ad3fa6.pth", version: "IMAGENET1K_V2", resize: 232, crop: 224),
        ImageNetWeights(depth: 101, fileName: "resnet101-cd907fc2.pth", version: "IMAGENET1K_V2", resize: 232, crop: 224),
        ImageNetWeights(depth: 152, fileName: "resnet152-f82ba261.pth", version: "IMAGENET1K_V2", resize: 232, crop: 224),
    ]

    public static func forDepth(_ depth: Int) -> ImageNetWeights? { table.first { $0.depth == depth } }

    /// The sha256 prefix the file name carries.
    public var hashPrefix: String { WeightFile.hashPrefix(of: fileName)! }

    /// The URL, from `base` (the mirror when set).
    public func url(base: String = ImageNetWeights.baseURL) -> String {
        (base.hasSuffix("/") ? base : base + "/") + fileName
    }
}
