import LoupeLang
import NeuralNet

/// One row of `summary m`: a stage of the network at the model's input size.
public struct LayerSummary: Sendable, Equatable {
    public var name: String
    public var outputHeight: Int, outputWidth: Int, outputChannels: Int
    public var parameters: Int
    public var trainable: Bool
    /// Floating-point operations per image: 2 × multiply-adds of convolutions and linear layers
    /// (BatchNorm, ReLU, pooling and additions are left out, as torchvision's and fvcore's counts do).
    public var flops: Int
}

/// The rows of `summary`, computed from the configuration and the input size; parameter
/// counts come from the model's own parameter list, so they are the real ones.
public func layerSummaries(_ model: ResNet, inputWidth: Int, inputHeight: Int) -> [LayerSummary] {
    let c = model.config
    var byPrefix: [String: (count: Int, trainable: Bool)] = [:]
    for e in model.arena.entries {
        let parts = e.name.split(separator: ".")
        let key: String
        if parts[0].hasPrefix("layer") { key = parts.prefix(2).joined(separator: ".") }
        else if parts[0] == "conv1" || parts[0] == "bn1" { key = "stem" }
        else if parts[0] == "head" { key = "head.hidden" }
        else { key = String(parts[0]) }
        let old = byPrefix[key] ?? (0, false)
        byPrefix[key] = (old.count + e.count, old.trainable || model.isTrainable(e))
    }
    func out(_ size: Int, kernel: Int, stride: Int, padding: Int) -> Int { (size + 2 * padding - kernel) / stride + 1 }
    func conv(_ h: Int, _ w: Int, _ cin: Int, _ cout: Int, _ k: Int) -> Int { 2 * h * w * cin * cout * k * k }
    var rows: [LayerSummary] = []
    func add(_ name: String, key: String, _ h: Int, _ w: Int, _ ch: Int, flops: Int) {
        let p = byPrefix[key] ?? (0, false)
        rows.append(LayerSummary(name: name, outputHeight: h, outputWidth: w, outputChannels: ch, parameters: p.count, trainable: p.trainable, flops: flops))
    }
    var h = inputHeight, w = inputWidth, ch = c.inputChannels
    let (k, s, p) = c.stem == .imagenet ? (7, 2, 3) : (3, 1, 1)
    h = out(h, kernel: k, stride: s, padding: p); w = out(w, kernel: k, stride: s, padding: p)
    add("stem: conv \(k)x\(k)/\(s), bn, relu", key: "stem", h, w, c.stemWidth, flops: conv(h, w, ch, c.stemWidth, k))
    ch = c.stemWidth
    if c.stem == .imagenet {
        h = out(h, kernel: 3, stride: 2, padding: 1); w = out(w, kernel: 3, stride: 2, padding: 1)
        add("max-pool 3x3/2", key: "-", h, w, ch, flops: 0)
    }
    for (stage, (count, width)) in zip(c.stages, c.widths).enumerated() {
        for i in 0..<count {
            let stride = (i == 0 && stage > 0) ? 2 : 1
            let ho = out(h, kernel: 3, stride: stride, padding: 1), wo = out(w, kernel: 3, stride: stride, padding: 1)
            var flops = 0, outChannels = width
            switch c.stageKinds[stage] {
            case .basic:
                flops = conv(ho, wo, ch, width, 3) + conv(ho, wo, width, width, 3)
            case .bottleneck:
                outChannels = width * Bottleneck.expansion
                flops = conv(h, w, ch, width, 1) + conv(ho, wo, width, width, 3) + conv(ho, wo, width, outChannels, 1)
            }
            if stride != 1 || ch != outChannels { flops += conv(ho, wo, ch, outChannels, 1) }
            add("layer\(stage + 1).\(i) \(c.stageKinds[stage].rawValue)\(stride == 2 ? " /2" : "")", key: "layer\(stage + 1).\(i)", ho, wo, outChannels, flops: flops)
            h = ho; w = wo; ch = outChannels
        }
    }
    add("global average pool", key: "-", 1, 1, ch, flops: 0)
    if let hidden = c.hidden {
        add("hidden linear \(hidden), relu, dropout \(c.dropout)", key: "head.hidden", 1, 1, hidden, flops: 2 * ch * hidden)
        ch = hidden
    }
    add("fc (output layer)", key: "fc", 1, 1, c.classes, flops: 2 * ch * c.classes)
    return rows
}

/// 3_630_000_000 → "3.63G".

extension CommandRegistry {
    mutating func registerModelSummaryCommand() {
        register(CommandSpec(
            name: "summary", group: "Models", summary: "layers, output shapes, parameters (trainable / frozen), FLOPs per image",
            parameters: [.positional("m", .kind("model"), help: "the model")],
            result: "a table (layer, output, params, trains, flops)", example: "summary m") { call in
                let m = try call.arguments.object("m", as: ModelValue.self)
                let rows = layerSummaries(m.model, inputWidth: m.metadata.inputWidth, inputHeight: m.metadata.inputHeight)
                var table = Table(columns: ["layer", "output", "params", "trains", "flops"])
                for r in rows {
                    table.rows.append([.string(r.name), .string("\(r.outputHeight)x\(r.outputWidth)x\(r.outputChannels)"), .integer(r.parameters),
                                       .string(r.parameters == 0 ? "-" : r.trainable ? "yes" : "frozen"), .string(r.flops == 0 ? "-" : formatFlops(r.flops))])
                }
                let total = rows.reduce(0) { $0 + $1.flops }
                table.rows.append([.string("total"), .string(""), .integer(m.model.parameterCount),
                                   .string("\(formatCount(m.model.trainableParameterCount)) train"), .string(formatFlops(total))])
                call.write("\(m.model.config.name), input \(m.metadata.inputWidth)x\(m.metadata.inputHeight)x\(m.model.config.inputChannels) (H x W x C below)")
                return .table(table)
            })
    }
}
