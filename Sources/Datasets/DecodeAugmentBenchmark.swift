import Dispatch
import Foundation
import Imaging
import TensorCore
import LoupeBase

/// One measured figure of a benchmark (`loupe bench` prints `name<TAB>value unit`).
public struct BenchmarkFigure: Sendable, Equatable {
    public var name: String
    public var value: Double
    public var unit: String
}

/// The `decode-augment` workload: images per second of decode + resize + standard augmentation,
/// on 3×224×224 JPEGs read from disk (no cache), on 28×28 IDX images (in memory), and on
/// 1600×1200 photos to a 224×224 input (`decode-augment-jpeg1600`: the loader decodes them at
/// libjpeg's quarter scale, as training does; `-whole`: the same loader decoding them whole, as
/// it did before).
///
/// Each figure is the median over batches (windows) after 2 warm-up batches, timed for at least
/// `seconds`. Batches are made on the calling thread with `workers` threads per batch.
public func decodeAugmentBenchmark(seconds: Double = 5, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                                   seed: UInt64 = 0) throws -> [BenchmarkFigure] {
    let folder = NSTemporaryDirectory() + "loupe-bench-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder + "/images", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    var rng = SeededGenerator(seed: seed, stream: 0xBE_AC4)
    for i in 0..<64 {
        try benchmarkPicture(width: 224, height: 224, channels: 3, rng: &rng).writeJPEG(to: "\(folder)/images/\(i).jpg", quality: 90)
    }
    var files = FileLoadOptions()
    files.cacheBudget = 0
    files.verify = false
    var jpegs = try Dataset.loadUnlabelled(folder + "/images", options: files)
    jpegs.augmentation = .standard

    // A real IDX file pair, read back by the IDX loader.
    let digits = 4096
    var bytes: [UInt8] = [0, 0, 8, 3, 0, 0, UInt8(digits >> 8), UInt8(digits & 0xFF), 0, 0, 0, 28, 0, 0, 0, 28]
    bytes.reserveCapacity(16 + digits * 784)
    for _ in 0..<digits { bytes += benchmarkPicture(width: 28, height: 28, channels: 1, rng: &rng).pixels }
    let labels: [UInt8] = [0, 0, 8, 1, 0, 0, UInt8(digits >> 8), UInt8(digits & 0xFF)] + (0..<digits).map { UInt8($0 % 10) }
    try FileManager.default.createDirectory(atPath: folder + "/idx", withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: folder + "/idx/train-images-idx3-ubyte"))
    try Data(labels).write(to: URL(fileURLWithPath: folder + "/idx/train-labels-idx1-ubyte"))
    var idx = try Dataset.loadIDX(folder: folder + "/idx")
    idx.augmentation = .standard

    let jpegRate = measureImagesPerSecond(BatchLoader(dataset: jpegs, preprocessing: .imagenet(width: 224, height: 224, channels: 3),
                                                      batchSize: 32, seed: seed, workers: workers), seconds: seconds)
    let idxRate = measureImagesPerSecond(BatchLoader(dataset: idx, preprocessing: Preprocessing(width: 28, height: 28, channels: 1),
                                                     batchSize: 128, seed: seed, workers: workers), seconds: seconds)
    // Large photos: 1600x1200, as inspection cameras take them (measured after the figures above, which keep their conditions).
    try FileManager.default.createDirectory(atPath: folder + "/large", withIntermediateDirectories: true)
    for i in 0..<16 {
        try benchmarkPicture(width: 1600, height: 1200, channels: 3, rng: &rng).writeJPEG(to: "\(folder)/large/\(i).jpg", quality: 90)
    }
    var large = try Dataset.loadUnlabelled(folder + "/large", options: files)
    large.augmentation = .standard
    let input = Preprocessing.imagenet(width: 224, height: 224, channels: 3)
    let largeWhole = measureImagesPerSecond(BatchLoader(dataset: large, preprocessing: input, batchSize: 16, seed: seed,
                                                        workers: workers, reducedDecoding: false), seconds: seconds)
    let largeReduced = measureImagesPerSecond(BatchLoader(dataset: large, preprocessing: input, batchSize: 16, seed: seed,
                                                          workers: workers), seconds: seconds)

    return [BenchmarkFigure(name: "decode-augment-jpeg224", value: jpegRate, unit: "img/s"),
            BenchmarkFigure(name: "decode-augment-idx28", value: idxRate, unit: "img/s"),
            BenchmarkFigure(name: "decode-augment-jpeg1600-whole", value: largeWhole, unit: "img/s"),
            BenchmarkFigure(name: "decode-augment-jpeg1600", value: largeReduced, unit: "img/s")]
}

/// The `decode-jpeg-large` workload: 1600x1600 JPEGs to 224x224, decode + resize on one thread,
/// whole (`decode-jpeg1600-full`) and at libjpeg's 1/4 DCT scale (`decode-jpeg1600-scaled`).
public func largeJPEGDecodeBenchmark(seconds: Double = 5, seed: UInt64 = 0) throws -> [BenchmarkFigure] {
    var rng = SeededGenerator(seed: seed, stream: 0x1A26E)
    let large = try largeJPEGRates(seconds: seconds, rng: &rng)
    return [BenchmarkFigure(name: "decode-jpeg1600-full", value: large.full, unit: "img/s"),
            BenchmarkFigure(name: "decode-jpeg1600-scaled", value: large.scaled, unit: "img/s")]
}

/// 1600x1600 photos to a 224x224 input: a full decode and area resize, against libjpeg's 1/4
/// DCT-scaled decode (400x400) and the same resize; one thread, decode + resize only.
private func largeJPEGRates(seconds: Double, rng: inout SeededGenerator) throws -> (full: Double, scaled: Double) {
    var files: [[UInt8]] = []
    for _ in 0..<8 {
        files.append(try JPEG.encode(benchmarkPicture(width: 1600, height: 1600, channels: 3, rng: &rng), quality: 90))
    }
    func rate(_ target: (width: Int, height: Int)?) throws -> Double {
        var rates: [Double] = []
        var elapsed = 0.0
        var i = 0
        while elapsed < seconds / 2 || rates.count < 5 {
            let start = DispatchTime.now().uptimeNanoseconds
            for bytes in files {
                _ = try JPEG.decode(bytes, source: "bench", atLeast: target).resized(width: 224, height: 224)
            }
            let t = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            i += 1
            if i > 1 { rates.append(Double(files.count) / t); elapsed += t }
        }
        return rates.sorted()[rates.count / 2]
    }
    return (try rate(nil), try rate((224, 224)))
}

/// Median images per second over batches, after two warm-up batches.
private func measureImagesPerSecond(_ loader: BatchLoader, seconds: Double) -> Double {
    var rates = [Double]()
    var elapsed = 0.0
    var epoch = 0, number = 0, order = loader.order(epoch: 0)
    var warmUp = 2
    while elapsed < seconds || rates.count < 5 {
        if number == loader.batchCount { epoch += 1; number = 0; order = loader.order(epoch: epoch) }
        let start = DispatchTime.now().uptimeNanoseconds
        let batch = loader.batch(number, epoch: epoch, order: order)
        let t = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        number += 1
        if warmUp > 0 { warmUp -= 1; continue }
        rates.append(Double(batch.labels.count) / t)
        elapsed += t
    }
    rates.sort()
    return rates[rates.count / 2]
}

/// A photo-like test picture: smooth shapes plus a little noise (so JPEG has real work to do).
private func benchmarkPicture(width: Int, height: Int, channels: Int, rng: inout SeededGenerator) -> Image {
    let cx = Float(width) * rng.nextFloat(), cy = Float(height) * rng.nextFloat()
    let radius = Float(min(width, height)) * (0.2 + 0.3 * rng.nextFloat())
    let colour = (0..<channels).map { _ in 255 * rng.nextFloat() }
    let back = (0..<channels).map { _ in 255 * rng.nextFloat() }
    var image = Image(width: width, height: height, channels: channels)
    image.pixels.withUnsafeMutableBufferPointer { p in
        var o = 0
        for y in 0..<height {
            for x in 0..<width {
                let dx = Float(x) - cx, dy = Float(y) - cy
                let inside = max(0, min(1, (radius - (dx * dx + dy * dy).squareRoot()) / 4 + 0.5))
                for c in 0..<channels {
                    let shade = back[c] * (0.6 + 0.4 * Float(y) / Float(height))
                    let v = shade + inside * (colour[c] - shade) + 12 * (rng.nextFloat() - 0.5)
                    p[o] = UInt8(max(0, min(255, v))); o += 1
                }
            }
        }
    }
    return image
}
