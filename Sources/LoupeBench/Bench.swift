import Foundation
import LoupeBase
import TensorCore
import NeuralNet
import Datasets

/// Names `loupe bench` knows, in the order it runs them.
public let benchWorkloadNames = ["sgemm-1024", "conv-r18s", "r18s-train", "r20-train", "r18-infer1", "r18-infer32", "peak-rss-r18s",
                                  "decode-augment", "decode-jpeg-large", "conv-impl", "dp-r20", "dp-r18s", "dp-r18", "ft-cache"]
/// Data-parallel workloads (`mpirun -np N loupe bench dp-r20`): only when named.
let dataParallelWorkloadNames: Set<String> = ["dp-r20", "dp-r18s", "dp-r18"]

/// `loupe bench [NAME...] [--seconds S]`: runs the workloads of WORKLOADS.md and prints one line
/// per figure, `NAME<TAB>VALUE UNIT`. Returns the process exit code.
/// Under mpirun `communicator` is the job's ranks (the dp- workloads split their batch over them).
public func runBench(arguments: [String], communicator: Communicator? = nil,
                     output: (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }) -> Int32 {
    BLAS.configure()
    if arguments.first == "--rss-child" { return rssChild(output: output) }
    var names: [String] = []
    var seconds = 5.0
    var i = 0
    while i < arguments.count {
        let a = arguments[i]
        if a == "--seconds", i + 1 < arguments.count, let s = Double(arguments[i + 1]), s > 0 {
            seconds = s; i += 2; continue
        }
        guard benchWorkloadNames.contains(a) else {
            let hint = benchWorkloadNames.min { Suggestions.editDistance($0, a) < Suggestions.editDistance($1, a) }!
            FileHandle.standardError.write(Data("loupe bench: unknown workload '\(a)' (did you mean '\(hint)'?); workloads: \(benchWorkloadNames.joined(separator: ", "))\n".utf8))
            return 64
        }
        names.append(a); i += 1
    }
    // conv-impl is a diagnostic for the engine (not a WORKLOADS.md workload), and ft-cache takes
    // minutes (issue 15's cached frozen phase against the uncached one): only when named.
    if names.isEmpty { names = benchWorkloadNames.filter { $0 != "conv-impl" && $0 != "ft-cache" && !dataParallelWorkloadNames.contains($0) } }
    let group = communicator.flatMap { $0.size > 1 ? $0 : nil }
    for name in names {
        let figure: BenchFigure
        switch name {
        case "sgemm-1024": figure = Workloads.sgemm(seconds: seconds)
        case "conv-r18s": figure = Workloads.convR18s(seconds: seconds)
        case "r18s-train": figure = Workloads.train(name, model: BenchModels.r18s(), batch: 64, size: 32, channels: 3, seconds: seconds)
        case "r20-train": figure = Workloads.train(name, model: BenchModels.r20(), batch: 128, size: 28, channels: 1, seconds: seconds)
        case "r18-infer1": figure = Workloads.infer(name, batch: 1, seconds: seconds)
        case "r18-infer32": figure = Workloads.infer(name, batch: 32, seconds: seconds)
        case "peak-rss-r18s":
            guard let mib = peakRSSOfChild() else {
                FileHandle.standardError.write(Data("loupe bench: could not measure peak-rss-r18s (child process failed)\n".utf8))
                return 70
            }
            figure = BenchFigure(name: name, value: mib, unit: "MiB")
        case "decode-augment", "decode-jpeg-large":
            // decode-augment: the loader's own rate (decode + resize + standard augmentation), which
            // must outrun training: 3x224x224 JPEGs from disk and 28x28 IDX images.
            // decode-jpeg-large: large photos to a 224x224 input, full decode + resize against
            // libjpeg's DCT-scaled decode.
            do {
                let figures = name == "decode-augment" ? try decodeAugmentBenchmark(seconds: seconds)
                                                       : try largeJPEGDecodeBenchmark(seconds: seconds)
                for f in figures { output(BenchFigure(name: f.name, value: f.value, unit: f.unit).line) }
            } catch {
                FileHandle.standardError.write(Data("loupe bench: \(name) failed: \(error)\n".utf8))
                return 70
            }
            continue
        case "conv-impl":
            for line in Workloads.convImplementations() { output(line) }
            continue
        case "ft-cache":
            for f in Workloads.featureCache(output: output) { output(f.line) }
            continue
        case "dp-r20", "dp-r18s", "dp-r18":
            let figures: [BenchFigure]
            switch name {
            case "dp-r20": figures = Workloads.dataParallelTrain(name, model: BenchModels.r20(), batch: 128, size: 28, channels: 1, seconds: seconds, communicator: group)
            case "dp-r18s": figures = Workloads.dataParallelTrain(name, model: BenchModels.r18s(), batch: 64, size: 32, channels: 3, seconds: seconds, communicator: group)
            default: figures = Workloads.dataParallelTrain(name, model: BenchModels.r18(), batch: 8, size: 224, channels: 3, seconds: seconds, communicator: group)
            }
            for f in figures { output(f.line) }
            continue
        default: continue
        }
        output(figure.line)
    }
    return 0
}

/// Runs 20 steps of r18s-train in a fresh process and reads its peak resident memory.
private func peakRSSOfChild() -> Double? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    process.arguments = ["bench", "--rss-child"]
    let pipe = Pipe()
    process.standardOutput = pipe
    do { try process.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { Double($0) }.last
}

private func rssChild(output: (String) -> Void) -> Int32 {
    let step = TrainingStep(model: BenchModels.r18s(), batch: 64, size: 32, channels: 3)
    for _ in 0..<20 { step.run() }
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kib = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 70 }
    output(String(kib / 1024))
    return 0
}
