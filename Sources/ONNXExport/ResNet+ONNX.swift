import NeuralNet

// The inference graph of a Loupe ResNet, in ONNX's NCHW layout (Loupe computes in NHWC; model
// state is stored in PyTorch's layouts, so weights are plain copies):
//   pixels [N, C, H, W] in 0…1 → Sub(mean) → Mul(1/std)          (Loupe's own normalisation)
//   → Conv+Relu [→ MaxPool 3/2/1] → residual blocks → GlobalAveragePool → Flatten
//   → [Gemm + Relu] → Gemm = logits → Softmax(axis 1) = probabilities
// BatchNorm with running statistics folds into the convolution before it, as Loupe's own
// evaluation does (BatchNorm2D.inferenceAffine): with s = γ/√(running_var + ε),
//   W'[oc] = W[oc]·s[oc],  b'[oc] = β[oc] − running_mean[oc]·s[oc].
// Dropout is the identity at inference and does not appear.

/// Builds the ONNX graph of a model's inference.
struct ResNetGraphBuilder {
    let config: ResNetConfig
    let state: [String: StateTensor]
    let eps: Float
    var graph = ONNXGraph(name: "loupe")

    init(model: ResNet) {
        config = model.config
        state = Dictionary(uniqueKeysWithValues: model.state().map { ($0.name, $0) })
        eps = model.norms.first?.eps ?? 1e-5
    }

    func tensor(_ name: String) throws -> StateTensor {
        guard let t = state[name] else { throw ONNXExportError.unsupportedModel("the model has no tensor \(name)") }
        return t
    }

    mutating func node(_ op: String, _ name: String, _ inputs: [String], _ attributes: [ONNXAttribute] = [], output: String? = nil) -> String {
        let out = output ?? name
        graph.nodes.append(ONNXNode(op, name: name, inputs: inputs, outputs: [out], attributes: attributes))
        return out
    }

    /// A convolution with its BatchNorm folded in: `conv` and `norm` are torchvision names.
    mutating func convNorm(_ x: String, conv: String, norm: String, stride: Int, padding: Int) throws -> String {
        let w = try tensor("\(conv).weight")
        let gamma = try tensor("\(norm).weight").values, beta = try tensor("\(norm).bias").values
        let mean = try tensor("\(norm).running_mean").values, variance = try tensor("\(norm).running_var").values
        let oc = w.shape[0], k = w.shape[2], perOutput = w.values.count / oc
        let scale = (0..<oc).map { gamma[$0] / (variance[$0] + eps).squareRoot() }
        var folded = w.values
        for o in 0..<oc { for i in 0..<perOutput { folded[o * perOutput + i] *= scale[o] } }
        let bias = (0..<oc).map { beta[$0] - mean[$0] * scale[$0] }
        graph.initializers.append(ONNXTensor(name: "\(conv).weight", dims: w.shape, values: folded))
        graph.initializers.append(ONNXTensor(name: "\(conv).bias", dims: [oc], values: bias))
        return node("Conv", conv, [x, "\(conv).weight", "\(conv).bias"], [
            ONNXAttribute("kernel_shape", .ints([k, k])), ONNXAttribute("strides", .ints([stride, stride])),
            ONNXAttribute("pads", .ints([padding, padding, padding, padding])),
        ])
    }

    mutating func relu(_ x: String, _ name: String) -> String { node("Relu", name, [x]) }

    /// y = x·Wᵀ + b with PyTorch's [out, in] weight (Gemm transB = 1).
    mutating func linear(_ x: String, _ name: String, output: String? = nil) throws -> String {
        let w = try tensor("\(name).weight"), b = try tensor("\(name).bias")
        graph.initializers.append(ONNXTensor(name: "\(name).weight", dims: w.shape, values: w.values))
        graph.initializers.append(ONNXTensor(name: "\(name).bias", dims: b.shape, values: b.values))
        return node("Gemm", name, [x, "\(name).weight", "\(name).bias"], [ONNXAttribute("transB", .int(1))], output: output)
    }

    /// The whole graph for `normalization` and an input of `width`×`height`.
    mutating func build(normalization: Normalization, width: Int, height: Int) throws -> ONNXGraph {
        let c = config.inputChannels
        guard normalization.mean.count == c, normalization.std.count == c else {
            throw ONNXExportError.unsupportedModel("the normalisation has \(normalization.mean.count) means and \(normalization.std.count) deviations for \(c) channels")
        }
        graph.inputs = [ONNXValueInfo(name: "pixels", shape: [.param("N"), .value(c), .value(height), .value(width)])]
        graph.outputs = [ONNXValueInfo(name: "logits", shape: [.param("N"), .value(config.classes)]),
                         ONNXValueInfo(name: "probabilities", shape: [.param("N"), .value(config.classes)])]
        // Loupe normalises as (x − mean)·(1/std) (Preprocessing.normalize): the same here.
        graph.initializers.append(ONNXTensor(name: "normalization.mean", dims: [1, c, 1, 1], values: normalization.mean))
        graph.initializers.append(ONNXTensor(name: "normalization.inverse_std", dims: [1, c, 1, 1], values: normalization.std.map { 1 / $0 }))
        var h = node("Sub", "normalization.sub", ["pixels", "normalization.mean"])
        h = node("Mul", "normalization.mul", [h, "normalization.inverse_std"])

        switch config.stem {
        case .imagenet:
            h = relu(try convNorm(h, conv: "conv1", norm: "bn1", stride: 2, padding: 3), "relu")
            h = node("MaxPool", "maxpool", [h], [ONNXAttribute("kernel_shape", .ints([3, 3])),
                                                 ONNXAttribute("strides", .ints([2, 2])), ONNXAttribute("pads", .ints([1, 1, 1, 1]))])
        case .small:
            h = relu(try convNorm(h, conv: "conv1", norm: "bn1", stride: 1, padding: 1), "relu")
        }

        var channels = config.stemWidth
        for (s, (count, width)) in zip(config.stages, config.widths).enumerated() {
            for i in 0..<count {
                let stride = (i == 0 && s > 0) ? 2 : 1
                let name = "layer\(s + 1).\(i)"
                let out = config.stageKinds[s] == .basic ? width : width * Bottleneck.expansion
                var main: String
                switch config.stageKinds[s] {
                case .basic:
                    main = relu(try convNorm(h, conv: "\(name).conv1", norm: "\(name).bn1", stride: stride, padding: 1), "\(name).relu1")
                    main = try convNorm(main, conv: "\(name).conv2", norm: "\(name).bn2", stride: 1, padding: 1)
                case .bottleneck:
                    main = relu(try convNorm(h, conv: "\(name).conv1", norm: "\(name).bn1", stride: 1, padding: 0), "\(name).relu1")
                    main = relu(try convNorm(main, conv: "\(name).conv2", norm: "\(name).bn2", stride: stride, padding: 1), "\(name).relu2")
                    main = try convNorm(main, conv: "\(name).conv3", norm: "\(name).bn3", stride: 1, padding: 0)
                }
                var shortcut = h
                if stride != 1 || channels != out {
                    shortcut = try convNorm(h, conv: "\(name).downsample.0", norm: "\(name).downsample.1", stride: stride, padding: 0)
                }
                h = relu(node("Add", "\(name).add", [main, shortcut]), "\(name).relu")
                channels = out
            }
        }

        h = node("GlobalAveragePool", "avgpool", [h])
        h = node("Flatten", "flatten", [h], [ONNXAttribute("axis", .int(1))])
        if config.hidden != nil {
            h = relu(try linear(h, "head.hidden"), "head.relu")
        }
        _ = try linear(h, "fc", output: "logits")
        _ = node("Softmax", "softmax", ["logits"], [ONNXAttribute("axis", .int(1))], output: "probabilities")
        return graph
    }
}
