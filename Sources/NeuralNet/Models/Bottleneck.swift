import TensorCore

// Shapes: x [N, H, W, Cin] → y [N, H/s, W/s, 4·width].
//   1x1 (Cin→width) → 3x3 stride s (width→width) → 1x1 (width→4·width), BN after each,
//   ReLU after the first two; shortcut as in BasicBlock. Stride sits on the 3x3, as torchvision.

/// torchvision's Bottleneck block (expansion 4), with its state-dict names.
public final class Bottleneck: ResidualBlock {
    public static let expansion = 4
    let conv1: Conv2D, bn1: BatchNorm2D, relu1 = ReLU()
    let conv2: Conv2D, bn2: BatchNorm2D, relu2 = ReLU()
    let conv3: Conv2D, bn3: BatchNorm2D
    let downsample: (conv: Conv2D, bn: BatchNorm2D)?
    let join = ResidualAddReLU()
    private let sumGrad = Tensor(shape: [0])

    public init(_ name: String, inChannels: Int, width: Int, stride: Int, arena: ParameterArena, workspace: Workspace) {
        let out = width * Self.expansion
        conv1 = Conv2D("\(name).conv1", inChannels, width, kernel: 1, arena: arena, workspace: workspace)
        bn1 = BatchNorm2D("\(name).bn1", width, arena: arena)
        conv2 = Conv2D("\(name).conv2", width, width, kernel: 3, stride: stride, padding: 1, arena: arena, workspace: workspace)
        bn2 = BatchNorm2D("\(name).bn2", width, arena: arena)
        conv3 = Conv2D("\(name).conv3", width, out, kernel: 1, arena: arena, workspace: workspace)
        bn3 = BatchNorm2D("\(name).bn3", out, arena: arena)
        if stride != 1 || inChannels != out {
            downsample = (Conv2D("\(name).downsample.0", inChannels, out, kernel: 1, stride: stride, arena: arena, workspace: workspace),
                          BatchNorm2D("\(name).downsample.1", out, arena: arena))
        } else {
            downsample = nil
        }
    }

    public var convolutions: [Conv2D] { [conv1, conv2, conv3] + (downsample.map { [$0.conv] } ?? []) }
    public var norms: [BatchNorm2D] { [bn1, bn2, bn3] + (downsample.map { [$0.bn] } ?? []) }
    public var passesGradientThroughWorkspace: Bool { false }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        var h = relu1.forward(bn1.forward(conv1.forward(x), training: training))
        h = relu2.forward(bn2.forward(conv2.forward(h), training: training))
        h = bn3.forward(conv3.forward(h), training: training)
        let shortcut = downsample.map { $0.bn.forward($0.conv.forward(x), training: training) } ?? x
        return join.forward(h, shortcut)
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let g = join.backward(dy)
        var d = conv3.backward(bn3.backward(g))!
        d = conv2.backward(bn2.backward(relu2.backward(d)))!
        let dMain = conv1.backward(bn1.backward(relu1.backward(d)))!
        let dShort = downsample.map { $0.conv.backward($0.bn.backward(g))! } ?? g
        sumGrad.resize(to: dMain.shape)
        let a = dMain.data, b = dShort.data, o = sumGrad.data
        forRanges(dMain.count) { span in for i in span { o[i] = a[i] + b[i] } }
        return sumGrad
    }
}

/// What the ResNet needs of a residual block.
public protocol ResidualBlock: AnyObject {
    var convolutions: [Conv2D] { get }
    var norms: [BatchNorm2D] { get }
    func forward(_ x: Tensor, training: Bool) -> Tensor
    func backward(_ dy: Tensor) -> Tensor
    /// Whether backward writes its input gradient into one of the workspace's pass-down tensors.
    var passesGradientThroughWorkspace: Bool { get }
}
