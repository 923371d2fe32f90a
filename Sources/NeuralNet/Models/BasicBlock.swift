import TensorCore

// Shapes: x [N, H, W, Cin] → y [N, H/s, W/s, C].
//   y = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)),
//   shortcut = bn(conv1x1 stride s) when the shape changes, else identity.
// Fused: bn1+relu writes one tensor; bn2 + shortcut add + relu writes the block output. In
// evaluation the BatchNorms fold into the convolutions (see `forward`).
// Memory in training: each BatchNorm keeps its input (a convolution's output), all its
// backward needs; relu(bn1(·)) lives in shared scratch and is rebuilt from it before conv2's
// backward; a downsampling shortcut's normalised output goes into the block's output buffer,
// which bn2's fused pass reads and overwrites. A block keeps three activations (conv1's and
// conv2's outputs, its own), and backward works in place in those (they become gradients) or
// in the workspace's shared tensors.

/// torchvision's BasicBlock (two 3x3 convolutions), with its state-dict names.
public final class BasicBlock: ResidualBlock {
    let conv1: Conv2D, bn1: BatchNorm2D
    let conv2: Conv2D, bn2: BatchNorm2D
    let downsample: (conv: Conv2D, bn: BatchNorm2D)?
    let workspace: Workspace
    /// The input of the last forward when it was folded (evaluation): backward must first
    /// recompute the unfolded activations it needs.
    private var foldedInput: Tensor?
    private var output: Tensor?

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
        self.workspace = workspace
    }

    public var convolutions: [Conv2D] { [conv1, conv2] + (downsample.map { [$0.conv] } ?? []) }
    public var norms: [BatchNorm2D] { [bn1, bn2] + (downsample.map { [$0.bn] } ?? []) }
    public var passesGradientThroughWorkspace: Bool { downsample != nil }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        if !training { return foldedForward(x) }
        foldedInput = nil
        return unfoldedForward(x, training: training)
    }

    private func unfoldedForward(_ x: Tensor, training: Bool) -> Tensor {
        let a1 = bn1.forward(conv1.forward(x), training: training, residual: nil, relu: true,
                             into: workspace.recomputedActivation)
        let h2 = conv2.forward(a1)
        var shortcut = x
        if let (conv, bn) = downsample {
            // The shortcut's output goes into the block's output buffer, which bn2's pass then
            // reads and overwrites element by element.
            shortcut = bn.forward(conv.forward(x), training: training, residual: nil, relu: false, into: bn2.output)
        }
        let y = bn2.forward(h2, training: training, residual: shortcut, relu: true, into: bn2.output)
        output = y
        return y
    }

    /// Evaluation: each BatchNorm (running statistics) is folded into its convolution's weights,
    /// and the shortcut add and ReLU run in conv2's output pass.
    private func foldedForward(_ x: Tensor) -> Tensor {
        foldedInput = x
        let e1 = bn1.inferenceAffine(), e2 = bn2.inferenceAffine()
        let a1 = conv1.forward(x, epilogue: ConvEpilogue(scale: e1.scale, shift: e1.shift, relu: true))
        var shortcut = x
        if let (conv, bn) = downsample {
            let e = bn.inferenceAffine()
            shortcut = conv.forward(x, epilogue: ConvEpilogue(scale: e.scale, shift: e.shift, relu: false))
        }
        let y = conv2.forward(a1, epilogue: ConvEpilogue(scale: e2.scale, shift: e2.shift, relu: true, residual: shortcut))
        output = y
        return y
    }

    /// Overwrites `dy` (with dy masked by the final ReLU).
    public func backward(_ dy: Tensor) -> Tensor {
        if let x = foldedInput {
            foldedInput = nil
            _ = unfoldedForward(x, training: false)
        }
        guard let y = output else { preconditionFailure("\(conv1.name): backward before forward") }
        // bn2's backward also leaves dy masked by the final ReLU (the gradient at the shortcut
        // add), so the block output y is dead after it and its buffer takes d1 (same shape);
        // the shortcut's input gradient goes into the recomputed activation once bn1 is done
        // with it. No buffer beyond the block's own and the workspace's recomputed activation
        // (and a pass-down tensor when downsampling) is touched.
        // relu(bn1(·)) is rebuilt in the parallel region of bn2's input-gradient pass (the
        // same rows: conv2 keeps the spatial size).
        let d2 = bn2.backward(dy, reluOutput: y, into: conv2.output, maskInPlace: true,
                              alongside: bn1.recomputeOutputRows(relu: true, into: workspace.recomputedActivation))
        let d1 = conv2.backward(d2, into: y)!
        bn1.backward(d1, reluOutput: workspace.recomputedActivation, into: d1)
        if let (conv, bn) = downsample {
            // The input gradient goes to a pass-down tensor that is not dy.
            let dx = workspace.passBuffer(avoiding: dy)
            conv1.backward(d1, into: dx)
            let ds = bn.backward(dy, reluOutput: nil, into: conv.output)
            let dShort = conv.backward(ds, into: workspace.recomputedActivation)!
            let a = dx.data, b = dShort.data
            forRanges(dx.count) { span in for i in span { a[i] += b[i] } }
            return dx
        }
        // The identity shortcut's gradient (dy, masked above) joins conv1's dx, written over
        // x1 once bn1's backward is done with it.
        conv1.backward(d1, into: conv1.output, adding: dy)
        return conv1.output
    }
}
