import TensorCore

// Shapes: x [N, H, W, Cin] → y [N, H/s, W/s, C].
//   y = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)),
//   shortcut = bn(conv1x1 stride s) when the shape changes, else identity.

/// torchvision's BasicBlock (two 3x3 convolutions), with its state-dict names.
public final class BasicBlock: ResidualBlock {
    let conv1: Conv2D, bn1: BatchNorm2D, relu1 = ReLU()
    let conv2: Conv2D, bn2: BatchNorm2D
    let downsample: (conv: Conv2D, bn: BatchNorm2D)?
    let join = ResidualAddReLU()
    private let sumGrad = Tensor(shape: [0])

    public init(_ name: String, inChannels: Int, channels: Int, stride: Int, arena: ParameterArena, workspace: Workspace) {
        conv1 = Conv2D("\(name).conv1", inChannels, channels, kernel: 3, stride: stride, padding: 1, arena: arena, workspace: workspace)
        bn1 = BatchNorm2D("\(name).bn1", channels, arena: arena)
        conv2 = Conv2D("\(name).conv2", channels, channels, kernel: 3, stride: 1, padding: 1, arena: arena, workspace: workspace)
        bn2 = BatchNorm2D("\(name).bn2", channels, arena: arena)
        if stride != 1 || inChannels != channels {
            downsample = (Conv2D("\(name).downsample.0", inChannels, channels, kernel: 1, stride: stride, arena: arena, workspace: workspace),
                          BatchNorm2D("\(name).downsample.1", channels, arena: arena))
        } else {
            downsample = nil
        }
    }

    public var convolutions: [Conv2D] { [conv1, conv2] + (downsample.map { [$0.conv] } ?? []) }
    public var norms: [BatchNorm2D] { [bn1, bn2] + (downsample.map { [$0.bn] } ?? []) }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        var h = conv1.forward(x)
        h = relu1.forward(bn1.forward(h, training: training))
        h = bn2.forward(conv2.forward(h), training: training)
        let shortcut = downsample.map { $0.bn.forward($0.conv.forward(x), training: training) } ?? x
        return join.forward(h, shortcut)
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let g = join.backward(dy)
        var d = bn2.backward(g)
        d = conv2.backward(d)!
        d = bn1.backward(relu1.backward(d))
        let dMain = conv1.backward(d)!
        let dShort = downsample.map { $0.conv.backward($0.bn.backward(g))! } ?? g
        sumGrad.resize(to: dMain.shape)
        let a = dMain.data, b = dShort.data, o = sumGrad.data
        forRanges(dMain.count) { span in for i in span { o[i] = a[i] + b[i] } }
        return sumGrad
    }
}
