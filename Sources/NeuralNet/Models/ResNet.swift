import TensorCore
import LoupeBase

// Shapes: input x [N, H, W, Cin] (NHWC) → logits [N, classes].
// stem → stages of residual blocks → global average pool → [hidden → ReLU → dropout] → fc.

/// A ResNet with torchvision's layout and state-dict names, forward and backward.
public final class ResNet {
    public let config: ResNetConfig
    public let arena = ParameterArena()
    let workspace = Workspace()
    let stemConv: Conv2D, stemNorm: BatchNorm2D
    private var stemFoldedInput: Tensor?
    /// Whether a training forward may leave the stem's output in the workspace (`stemHome`);
    /// false keeps it in its BatchNorm's own buffer (tests compare the two: the same bits).
    public var stemOutputInWorkspace = true
    /// The workspace tensor the last training forward left the stem's output in (`stemHome`;
    /// nil: its BatchNorm's own buffer), rebuilt there before the first block's backward.
    private var stemOutputHome: Tensor?
    let stemPool: MaxPool2D?
    let blocks: [ResidualBlock]
    let pool = GlobalAveragePool()
    let hidden: Linear?
    let hiddenReLU = ReLU()
    let dropout: Dropout?
    let fc: Linear
    /// When true only the head learns: the backbone computes no weight gradients and its
    /// BatchNorm layers use their running statistics.
    public private(set) var backboneFrozen = false

    /// Builds the network and initialises it as torchvision does, from `seed`.
    public init(_ config: ResNetConfig, seed: UInt64) {
        self.config = config
        switch config.stem {
        case .imagenet:
            stemConv = Conv2D("conv1", config.inputChannels, config.stemWidth, kernel: 7, stride: 2, padding: 3, arena: arena, workspace: workspace)
            stemPool = MaxPool2D(kernel: 3, stride: 2, padding: 1)
        case .small:
            stemConv = Conv2D("conv1", config.inputChannels, config.stemWidth, kernel: 3, stride: 1, padding: 1, arena: arena, workspace: workspace)
            stemPool = nil
        }
        stemConv.needsInputGradient = false
        stemNorm = BatchNorm2D("bn1", config.stemWidth, arena: arena)
        var blocks: [ResidualBlock] = []
        var channels = config.stemWidth
        for (s, (count, width)) in zip(config.stages, config.widths).enumerated() {
            for i in 0..<count {
                let stride = (i == 0 && s > 0) ? 2 : 1
                let name = "layer\(s + 1).\(i)"
                switch config.stageKinds[s] {
                case .basic:
                    blocks.append(BasicBlock(name, inChannels: channels, channels: width, stride: stride, arena: arena, workspace: workspace))
                    channels = width
                case .bottleneck:
                    blocks.append(Bottleneck(name, inChannels: channels, width: width, stride: stride, arena: arena, workspace: workspace))
                    channels = width * Bottleneck.expansion
                }
            }
        }
        self.blocks = blocks
        if let h = config.hidden {
            hidden = Linear("head.hidden", channels, h, arena: arena)
            dropout = Dropout(probability: config.dropout, seed: seed)
            fc = Linear("fc", h, config.classes, arena: arena)
        } else {
            hidden = nil
            dropout = nil
            fc = Linear("fc", channels, config.classes, arena: arena)
        }
        arena.allocate()
        var rng = SeededGenerator(seed: seed, stream: 0x1417)
        for conv in convolutions { conv.initialize(&rng) }
        for bn in norms { bn.initialize() }
        hidden?.initialize(&rng)
        fc.initialize(&rng)
        arena.didWrite()
    }

    /// The ranks sharing each training batch: BatchNorm's batch statistics are summed over them
    /// (nil for one process). Set by the training loops for the duration of a run.
    public var communicator: Communicator? {
        get { stemNorm.communicator }
        set { for bn in norms { bn.communicator = newValue } }
    }

    public var convolutions: [Conv2D] { [stemConv] + blocks.flatMap { $0.convolutions } }
    public var norms: [BatchNorm2D] { [stemNorm] + blocks.flatMap { $0.norms } }
    var headLayers: [Linear] { (hidden.map { [$0] } ?? []) + [fc] }

    /// Logits for a batch. `training` uses batch statistics (except in a frozen backbone) and dropout.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        headForward(backboneForward(x, training: training), training: training)
    }

    /// The pooled features of a batch [N, F]: the head's input. The tensor is the pooling
    /// layer's buffer, overwritten by the next forward (copy what must be kept).
    public func backboneForward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.shape.count == 4 && x.shape[3] == config.inputChannels,
                     "expected NHWC input with \(config.inputChannels) channels, got \(x.shape)")
        var h = stemForward(x, training: training)
        if let p = stemPool { h = p.forward(h) }
        for block in blocks { h = block.forward(h, training: training) }
        return pool.forward(h)
    }

    /// Logits from pooled features [N, F]: the head alone (hidden layer, ReLU and dropout when
    /// there is one, then the output layer). A frozen phase on cached features trains this way;
    /// `backward` then stops at the head as it does for any frozen backbone.
    public func headForward(_ features: Tensor, training: Bool) -> Tensor {
        var h = features
        if let hidden, let dropout {
            let features = hiddenReLU.forward(hidden.forward(h))
            h = dropout.forward(features, training: training, rows: training ? globalRows(features.shape[0]) : nil)
        }
        return fc.forward(h)
    }

    /// Where this rank's `n` rows sit in the global batch (nil alone): every rank's row count,
    /// summed as a vector over the ranks (dropout draws the whole batch's masks, in row order).
    private func globalRows(_ n: Int) -> (offset: Int, total: Int)? {
        guard let communicator, communicator.size > 1, let dropout, dropout.probability > 0 else { return nil }
        var counts = [Double](repeating: 0, count: communicator.size)
        counts[communicator.rank] = Double(n)
        counts = communicator.allReduceSum(counts)
        return (Int(counts[..<communicator.rank].reduce(0, +)), Int(counts.reduce(0, +)))
    }

    /// Width F of the pooled features (the head's input).
    public var featureWidth: Int { (hidden ?? fc).inFeatures }

    /// Back-propagates d loss / d logits, accumulating into `arena.grads`.
    /// With a frozen backbone it stops at the head: nothing below needs a gradient.
    public func backward(_ dLogits: Tensor) {
        guard var d = fc.backward(dLogits) else { return }
        if let hidden, let dropout {
            guard let dh = hidden.backward(hiddenReLU.backward(dropout.backward(d))) else { return }
            d = dh
        }
        if backboneFrozen { return }
        d = pool.backward(d)
        for (i, block) in blocks.enumerated().reversed() {
            if i == 0, let home = stemOutputHome { stemNorm.recomputeOutput(relu: true, into: home) }
            d = block.backward(d)
        }
        if let p = stemPool { d = p.backward(d) }
        if let x = stemFoldedInput {
            stemFoldedInput = nil
            _ = stemForward(x, training: false, fold: false)
        }
        let stemOutput = stemOutputHome ?? stemNorm.output
        stemConv.backward(stemNorm.backward(d, reluOutput: stemOutput, into: stemConv.output))
    }

    /// Where a training forward leaves the stem's output when not in its BatchNorm's own buffer
    /// (nil: there): a pass-down tensor of the workspace, which no forward writes. A stem without
    /// pooling feeds the first block, which needs its output in its forward, and in its backward
    /// (its first convolution's weight gradient) and the stem's (the ReLU's mask); in between,
    /// the blocks above may pass their gradients down through the workspace's two tensors, and
    /// the one the first block's `dy` will be (`Workspace.passBuffer(avoiding:)` from the top)
    /// is the other one. So the stem's BatchNorm rebuilds it there (the same bits, from the kept
    /// convolution output) before the first block's backward. The first block must pass its own
    /// gradient through its buffers. peak-rss-r18s, with a downsampling shortcut's output in the
    /// block's own output buffer (BasicBlock): 469 → 446 MiB.
    private lazy var stemHome: Tensor? = {
        guard stemPool == nil, let first = blocks.first, !first.passesGradientThroughWorkspace else { return nil }
        var dy: Tensor? = nil
        for block in blocks.dropFirst().reversed() {
            dy = block.passesGradientThroughWorkspace ? workspace.passBuffer(avoiding: dy) : nil
        }
        return workspace.passBuffer(avoiding: dy)
    }()

    /// conv → BatchNorm → ReLU, fused; in evaluation the BatchNorm folds into the convolution
    /// (and a later backward first recomputes the unfolded activations).
    private func stemForward(_ x: Tensor, training: Bool, fold: Bool = true) -> Tensor {
        stemOutputHome = training && stemOutputInWorkspace ? stemHome : nil
        if !training && fold {
            stemFoldedInput = x
            let e = stemNorm.inferenceAffine()
            return stemConv.forward(x, epilogue: ConvEpilogue(scale: e.scale, shift: e.shift, relu: true))
        }
        stemFoldedInput = nil
        return stemNorm.forward(stemConv.forward(x), training: training, residual: nil, relu: true,
                                into: stemOutputHome ?? stemNorm.output)
    }

    /// Freezes or unfreezes everything but the head.
    public func freezeBackbone(_ frozen: Bool) {
        backboneFrozen = frozen
        for conv in convolutions { conv.trainable = !frozen }
        for bn in norms { bn.trainable = !frozen }
        // The head's input gradient is only needed when something below it learns.
        (hidden ?? fc).needsInputGradient = !frozen
        if hidden != nil { fc.needsInputGradient = true }
    }

    /// Whether the optimizer should update this parameter.
    public func isTrainable(_ entry: ParameterEntry) -> Bool { !backboneFrozen || entry.isHead }

    public var parameterCount: Int { arena.count }
    public var trainableParameterCount: Int { arena.entries.filter(isTrainable).reduce(0) { $0 + $1.count } }
}
