import Foundation
import NeuralNet

/// Exports a Loupe model as an ONNX file (IR version 8, opset 17) that ONNX Runtime, OpenVINO,
/// TensorRT and most inference servers run: input `pixels` [N, C, H, W] float32 on 0…1,
/// outputs `logits` and `probabilities`, and the model's classes and preprocessing in
/// `metadata_props` (see docs/onnx.md).
public enum ONNXExporter {
    /// protobuf refuses to parse a message of 2 GiB or more (a signed 32-bit size), and ONNX's
    /// checker and runtimes with it.
    public static let protobufLimit = Int(Int32.max)
    public static let irVersion = 8
    public static let opsetVersion = 17

    /// What the file says beside the graph.
    public struct Info: Sendable {
        /// Loupe's version (producer_version and metadata `loupe_version`).
        public var loupeVersion: String
        /// A short account of how the model was trained (metadata `training`); nil when untrained.
        public var trainingSummary: String?
        public init(loupeVersion: String, trainingSummary: String? = nil) {
            self.loupeVersion = loupeVersion; self.trainingSummary = trainingSummary
        }
    }

    /// The ONNX model of `model` (not yet serialized).
    public static func onnxModel(_ model: ResNet, metadata: ModelMetadata, info: Info) throws -> ONNXModel {
        guard metadata.architecture == model.config else {
            throw ONNXExportError.unsupportedModel("its metadata describes \(metadata.architecture.name) but the network is \(model.config.name)")
        }
        guard metadata.classNames.count == model.config.classes else {
            throw ONNXExportError.unsupportedModel("it names \(metadata.classNames.count) classes for \(model.config.classes) outputs")
        }
        var builder = ResNetGraphBuilder(model: model)
        var graph = try builder.build(normalization: metadata.normalization, width: metadata.inputWidth, height: metadata.inputHeight)
        graph.name = model.config.name
        var onnx = ONNXModel(graph: graph)
        onnx.irVersion = irVersion
        onnx.opsets = [("", opsetVersion)]
        onnx.producerName = "Loupe"
        onnx.producerVersion = info.loupeVersion
        onnx.modelVersion = metadata.version
        onnx.docString = "\(model.config.name) exported by Loupe \(info.loupeVersion): input pixels [N, \(model.config.inputChannels), "
            + "\(metadata.inputHeight), \(metadata.inputWidth)] float32 on 0…1 (normalisation inside), outputs logits and probabilities"
        onnx.metadata = metadataProperties(model, metadata: metadata, info: info)
        return onnx
    }

    /// metadata_props: everything a deployment needs to feed the model and read its answer.
    static func metadataProperties(_ model: ResNet, metadata: ModelMetadata, info: Info) -> [(key: String, value: String)] {
        func json<T: Encodable>(_ v: T) -> String {
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return (try? e.encode(v)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
        }
        var props: [(key: String, value: String)] = [
            ("classes", json(metadata.classNames)),
            ("input_width", "\(metadata.inputWidth)"),
            ("input_height", "\(metadata.inputHeight)"),
            ("channels", "\(model.config.inputChannels)"),
            ("color", model.config.inputChannels == 1 ? "grey" : "rgb"),
            ("pixel_range", "0..1"),
            ("normalization", metadata.normalization.kind.rawValue),
            ("mean", json(metadata.normalization.mean)),
            ("std", json(metadata.normalization.std)),
            ("architecture", model.config.name),
            ("loupe_version", info.loupeVersion),
            ("model_id", metadata.id),
            ("model_version", "\(metadata.version)"),
        ]
        // The image is centre-cropped to this share (input aspect) before the resize to the input.
        if let crop = metadata.crop { props.append(("center_crop", "\(crop)")) }
        if let fingerprint = metadata.datasetFingerprint { props.append(("dataset_fingerprint", fingerprint)) }
        props.append(("training", info.trainingSummary ?? "untrained"))
        return props
    }

    /// Writes `model` to `path` atomically. The serialized size is computed first and checked
    /// against `sizeLimit` (protobuf's, unless a test injects a smaller one) before the file's
    /// bytes are allocated; on any failure no file is left at `path` (an older one stays intact).
    /// Returns the number of bytes written.
    @discardableResult
    public static func export(_ model: ResNet, metadata: ModelMetadata, info: Info, to path: String,
                              sizeLimit: Int = protobufLimit) throws -> Int {
        let message = try onnxModel(model, metadata: metadata, info: info).message
        guard message.size <= sizeLimit else {
            throw ONNXExportError.tooLarge(path: path, bytes: message.size, limit: sizeLimit)
        }
        let bytes = message.serialized()
        try AtomicFile.write(bytes, to: path)
        return bytes.count
    }
}
