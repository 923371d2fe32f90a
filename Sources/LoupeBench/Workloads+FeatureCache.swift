import Foundation
import TensorCore
import NeuralNet
import Datasets
import Imaging
import Workflow
import LoupeBase

// ft-cache (issue 15): the frozen phase of fine_tune with cached features against without.
// torchvision ResNet-18 (7x7/2 stem + max-pool, random initial weights: the timing is the
// same as for pretrained ones), 3,000 RGB images of 96x96 in memory (2,400 train, 600 dev;
// 10 classes, each a grey square in its own place on noise: only the place tells them apart), a head phase of 15 epochs,
// batch 32, SGD. cache=true is timed from an empty cache folder, so its time includes the
// extraction (one evaluation forward per image); a second cached run reuses the files.

extension Workloads {
    static func featureCache(output: (String) -> Void) -> [BenchFigure] {
        let (train, dev) = featureCacheData()
        let p = Preprocessing.imagenet(width: 96, height: 96, channels: 3)
        var o = TrainingOptions()
        o.epochs = 15; o.batchSize = 32; o.learningRate = 0.01; o.seed = 7
        func frozenModel() -> ResNet {
            let m = ResNet(try! ResNetConfig.resnet(depth: 18, classes: 10, inputChannels: 3, stem: .imagenet), seed: 1)
            m.freezeBackbone(true)
            return m
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-bench-features-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cache = FeatureCache(folder: folder)

        func cachedRun() -> (seconds: Double, extraction: Double, accuracy: Double, loss: Double, extracted: Int) {
            let m = frozenModel()
            let start = now()
            let t = try! FeatureExtraction.source(model: m, dataset: train, preprocessing: p, cache: cache)
            let d = try! FeatureExtraction.source(model: m, dataset: dev, preprocessing: p, cache: cache)
            let extraction = now() - start
            let run = try! TrainingRun(model: m, train: t, dev: d, options: o)
            try! run.run()
            return (now() - start, extraction, run.history.last?.devAccuracy ?? 0, run.history.last?.devLoss ?? 0, t.stats.extracted + d.stats.extracted)
        }
        let cold = cachedRun()
        output("ft-cache-true\t\(formatFigure(cold.seconds)) s (extraction \(formatFigure(cold.extraction)) s of \(cold.extracted) images, head \(formatFigure(cold.seconds - cold.extraction)) s)")
        let warm = cachedRun()
        output("ft-cache-warm\t\(formatFigure(warm.seconds)) s (\(warm.extracted) extracted)")

        let m = frozenModel()
        let start = now()
        let run = try! TrainingRun(model: m, train: DatasetBatchSource(dataset: train, preprocessing: p),
                                   dev: DatasetBatchSource(dataset: dev, preprocessing: p, workers: 2), options: o)
        try! run.run()
        let uncached = now() - start
        let accuracy = run.history.last?.devAccuracy ?? 0, loss = run.history.last?.devLoss ?? 0
        output("ft-cache-false\t\(formatFigure(uncached)) s")
        output("ft-cache-dev-accuracy\t\(formatFigure(cold.accuracy * 100)) % cached, \(formatFigure(accuracy * 100)) % uncached")
        output("ft-cache-dev-loss\t\(String(format: "%.6f", cold.loss)) cached, \(String(format: "%.6f", loss)) uncached")
        return [BenchFigure(name: "ft-cache-speedup", value: uncached / cold.seconds, unit: "x")]
    }

    /// 3,000 images of 96x96 RGB: class k has a grey square at its own place, on noise.
    static func featureCacheData() -> (train: Dataset, dev: Dataset) {
        var rng = SeededGenerator(seed: 15)
        var images: [Image] = [], labels: [Int?] = []
        let size = 96, side = 24
        for n in 0..<3000 {
            let label = n % 10
            var pixels = [UInt8](repeating: 0, count: size * size * 3)
            for i in pixels.indices { pixels[i] = UInt8(rng.nextInt(below: 96)) }
            let ox = (label % 4) * 22 + rng.nextInt(below: 6), oy = (label / 4) * 30 + rng.nextInt(below: 6)
            for y in oy..<min(size, oy + side) { for x in ox..<min(size, ox + side) {
                for c in 0..<3 { pixels[(y * size + x) * 3 + c] = 150 }
            } }
            images.append(Image(width: size, height: size, channels: 3, pixels: pixels))
            labels.append(label)
        }
        let all = try! Dataset.inMemory(images: images, labels: labels, classes: (0..<10).map { "c\($0)" })
        return (all.selecting(indices: Array(0..<2400)), all.selecting(indices: Array(2400..<3000)))
    }
}
