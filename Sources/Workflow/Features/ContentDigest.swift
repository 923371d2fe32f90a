import Foundation
import CCrypto
import NeuralNet
import Datasets

/// SHA-256 over a sequence of byte runs (OpenSSL's libcrypto): the keys of the feature cache.
struct ContentDigest {
    private let context: OpaquePointer

    init() {
        context = EVP_MD_CTX_new()
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    func update(_ bytes: UnsafeRawBufferPointer) {
        if let base = bytes.baseAddress, !bytes.isEmpty { EVP_DigestUpdate(context, base, bytes.count) }
    }

    func update(_ text: String) { Array(text.utf8 + [0]).withUnsafeBytes { update($0) } }
    func update(_ value: Int) { withUnsafeBytes(of: Int64(value).littleEndian) { update($0) } }
    func update(_ floats: [Float]) { floats.withUnsafeBytes { update($0) } }

    /// The digest as 64 lower-case hex digits (the context is freed: use once).
    func finish() -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        EVP_MD_CTX_free(context)
        return digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
    }

    static func of(_ parts: String...) -> String {
        let d = ContentDigest()
        for p in parts { d.update(p) }
        return d.finish()
    }
}

extension FeatureExtraction {
    /// The digest of everything a frozen backbone computes with: its architecture, every
    /// parameter outside the head, and every BatchNorm's running statistics.
    public static func backboneDigest(_ model: ResNet) -> String {
        let d = ContentDigest()
        let c = model.config
        d.update("resnet \(c.depth) \(c.stageKinds.map(\.rawValue)) \(c.stages) \(c.widths) \(c.stem.rawValue) \(c.inputChannels)")
        for e in model.arena.entries where !e.isHead {
            d.update(e.name)
            d.update(UnsafeRawBufferPointer(start: model.arena.values + e.offset, count: e.count * MemoryLayout<Float>.size))
        }
        for bn in model.norms {
            d.update(bn.runningMean)
            d.update(bn.runningVar)
        }
        return d.finish()
    }

    /// The digest of what turns an image into the backbone's input: size, channels,
    /// normalisation and, for augmented copies, the augmentation settings and the copy's number.
    static func settingsDigest(_ p: Preprocessing, augmentation: AugmentationSettings?, copy: Int) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let pre = (try? encoder.encode(p)).map { String(decoding: $0, as: UTF8.self) } ?? "\(p)"
        let aug = augmentation.flatMap { try? encoder.encode($0) }.map { String(decoding: $0, as: UTF8.self) } ?? "none"
        return ContentDigest.of("preprocessing", pre, aug, augmentation == nil ? "-" : "copy \(copy)")
    }

    /// The digest of sample `i`'s content: the file's bytes (folder and CSV datasets) or the
    /// decoded pixels (IDX and in-memory datasets), and its region. nil when it cannot be read.
    static func imageDigest(_ dataset: Dataset, _ i: Int) -> String? {
        let s = dataset.samples[i]
        let d = ContentDigest()
        switch s.source {
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else { _ = d.finish(); return nil }
            d.update("file")
            data.withUnsafeBytes { d.update($0) }
        case .memory:
            guard let image = try? dataset.store.image(s.source) else { _ = d.finish(); return nil }
            d.update("pixels \(image.width)x\(image.height)x\(image.channels)")
            image.pixels.withUnsafeBytes { d.update($0) }
        }
        if let r = s.region { d.update("region \(r.x) \(r.y) \(r.width) \(r.height)") }
        return d.finish()
    }
}
