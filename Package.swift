// swift-tools-version:6.0
// Loupe: a workbench for training image classifiers on a CPU (REPL, scripts, Jupyter kernel).
// Layers (arrows point down only; Tests/ArchitectureTests checks every import against them,
// docs/architecture.md draws them):
//   5 loupe → 4 {LoupeCommands, LoupeBench, LoupeKernel} → 3 {Workflow, ONNXExport}
//   → 2 {NeuralNet, Datasets, Plotting, LoupeMPI} → 1 {TensorCore, Imaging, LoupeLang, Pretrained}
//   → 0 {LoupeBase, HTMLPages, C libraries}.
// TensorCore → {CDNNL (oneDNN: convolutions), CBLAS (OpenBLAS: linear layers), COpenMP (one thread pool)}.
// LoupeMPI → {CMPI (Open MPI shim), TensorCore}: the ranks of an mpirun job as TensorCore's Communicator.
// LoupeBase (layer 0, no dependencies, no Foundation): the small utilities every layer shares — the one
// atomic file write, the seeded generator, JSON string quoting, slugs, "did you mean". Each user imports it by name.
// HTMLPages (layer 0, Foundation only): the one writer of HTML pages, used by Workflow's reports, LoupeLang's
// notebook page and LoupeKernel's outputs.
import PackageDescription
import Foundation

let package = Package(
    name: "Loupe",
    products: [
        .executable(name: "loupe", targets: ["loupe"]),
    ],
    targets: [
        // System libraries (Debian: libopenblas-dev libdnnl-dev libpng-dev libjpeg-dev libreadline-dev libfreetype-dev).
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        // oneDNN (convolutions: JIT kernels for the CPU's ISA; OpenMP threads).
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        // A parallel-for on OpenMP's pool (libgomp, which oneDNN runs on): Swift has no OpenMP.
        .target(name: "COpenMP", path: "Sources/COpenMP",
                linkerSettings: [.linkedLibrary("gomp")]),
        // Winograd F(4x4, 3x3) convolutions for AVX2 CPUs, where oneDNN has none (C: AVX2 intrinsics).
        .target(name: "CWinograd", dependencies: ["COpenMP"], path: "Sources/CWinograd",
                cSettings: [.unsafeFlags(["-O3"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG"),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG"),
        .systemLibrary(name: "CReadline", path: "Sources/CReadline"),
        .systemLibrary(name: "CFreeType", path: "Sources/CFreeType", pkgConfig: "freetype2"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // The Jupyter kernel (Debian: libzmq3-dev, libssl-dev): ZeroMQ sockets, HMAC-SHA256 signatures.
        .systemLibrary(name: "CZMQ", path: "Sources/CZMQ"),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto"),
        // setjmp/longjmp error recovery for libpng and libjpeg lives in C: Swift cannot longjmp.
        .target(name: "CCodecs", dependencies: ["CPNG", "CJPEG"], path: "Sources/CCodecs"),
        // Open MPI (Debian: libopenmpi-dev, openmpi-bin): `mpirun -np N loupe run FILE`. Its handles
        // are macros Swift cannot import, so a small C shim of plain functions wraps every call.
        .systemLibrary(name: "CMPISystem", path: "Sources/CMPISystem", pkgConfig: "ompi-c"),
        .target(name: "CMPI", dependencies: ["CMPISystem"], path: "Sources/CMPI"),

        // Shared utilities (no dependencies)
        .target(name: "LoupeBase", exclude: ["README.md"]),
        // Self-contained HTML pages: escaping, the page and its one stylesheet, embedded figures, tables
        // (Foundation only; the reports and the notebook page are written with it)
        .target(name: "HTMLPages", exclude: ["README.md"]),
        // Engine
        .target(name: "TensorCore", dependencies: ["CBLAS", "CDNNL", "COpenMP", "CWinograd"], exclude: ["README.md"]),
        .target(name: "NeuralNet", dependencies: ["TensorCore", "CZlib", "LoupeBase"], exclude: ["README.md", "IO/README.md"]),
        // Data
        .target(name: "Imaging", dependencies: ["CCodecs", "LoupeBase"], exclude: ["README.md"]),
        .target(name: "Datasets", dependencies: ["Imaging", "TensorCore", "LoupeBase", "CZlib"], exclude: ["README.md"]),
        // Figures
        .target(name: "Plotting", dependencies: ["Imaging", "CFreeType"], exclude: ["README.md"]),
        // Language (knows no machine learning)
        .target(name: "LoupeLang", dependencies: ["LoupeBase", "HTMLPages"], exclude: ["README.md"]),
        // Training loop, evaluation, reports
        // (CCrypto: SHA-256 keys of the feature cache; CZlib: CRC-32 of its files)
        .target(name: "Workflow", dependencies: ["NeuralNet", "Datasets", "Imaging", "TensorCore", "LoupeBase", "HTMLPages", "CCrypto", "CZlib"], exclude: ["README.md", "Report/README.md"]),
        // ImageNet weights: torchvision's table, the cache folders, downloads checked by sha256
        .target(name: "Pretrained", dependencies: ["CCrypto"], exclude: ["README.md"]),
        // Deployment: a model as an ONNX file (its own small protobuf writer; see docs/onnx.md)
        // (-enable-testing: its tests check the protobuf writer's internals, and scripts/test builds release)
        .target(name: "ONNXExport", dependencies: ["NeuralNet", "LoupeBase"], exclude: ["README.md"],
                swiftSettings: [.unsafeFlags(["-enable-testing"])]),
        // The ranks of an mpirun job as the engine's Communicator (see docs/distributed.md)
        .target(name: "LoupeMPI", dependencies: ["CMPI", "TensorCore"], exclude: ["README.md"]),
        // Binds the language to the layers below
        .target(name: "LoupeCommands", dependencies: ["LoupeLang", "Workflow", "Plotting", "Datasets", "Imaging", "NeuralNet", "TensorCore", "LoupeBase", "Pretrained", "ONNXExport"], exclude: ["README.md"]),
        // `loupe bench`: the workloads of ../shared/bench/WORKLOADS.md on the engine, data and workflow
        .target(name: "LoupeBench", dependencies: ["LoupeBase", "TensorCore", "NeuralNet", "Datasets", "Imaging", "Workflow"], exclude: ["README.md"]),
        // Jupyter messaging: renders the language's display events as notebook outputs
        // (-enable-testing: its wire-format tests use internal types, and scripts/test builds release)
        .target(name: "LoupeKernel", dependencies: ["LoupeLang", "HTMLPages", "CZMQ", "CCrypto"], exclude: ["README.md"],
                swiftSettings: [.unsafeFlags(["-enable-testing"])]),
        .executableTarget(name: "loupe", dependencies: ["LoupeCommands", "LoupeBench", "LoupeLang", "LoupeKernel", "Plotting", "Imaging", "TensorCore", "CReadline", "LoupeMPI"], exclude: ["README.md"]),

        // Test-only helpers every test target may use (the package root, ../shared/fixtures).
        .target(name: "TestSupport", dependencies: ["Imaging"], path: "Tests/TestSupport"),
        .testTarget(name: "LoupeBaseTests", dependencies: ["LoupeBase"]),
        .testTarget(name: "HTMLPagesTests", dependencies: ["HTMLPages"]),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "LoupeBase"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "LoupeBase", "Imaging", "ONNXExport", "Workflow", "TestSupport"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "LoupeBase", "TestSupport"]),
        .testTarget(name: "PlottingTests", dependencies: ["Plotting"], resources: [.copy("Golden")]),
        .testTarget(name: "LoupeLangTests", dependencies: ["LoupeLang", "LoupeBase"], resources: [.copy("Scripts")]),
        // The executable from outside: `loupe run`, the REPL through a pseudo-terminal, `loupe notebook`, `loupe bench`.
        .testTarget(name: "LoupeTests", dependencies: ["LoupeLang"], exclude: ["repl_pexpect.py"]),
        .testTarget(name: "LoupeCommandsTests", dependencies: ["LoupeCommands", "LoupeLang", "LoupeBase", "Workflow", "Datasets", "NeuralNet", "Imaging", "TensorCore", "Pretrained", "TestSupport"]),
        .testTarget(name: "WorkflowTests", dependencies: ["Workflow", "Plotting", "LoupeBase"]),
        .testTarget(name: "LoupeKernelTests", dependencies: ["LoupeKernel", "LoupeLang"]),
        .testTarget(name: "PretrainedTests", dependencies: ["Pretrained"]),
        .testTarget(name: "ONNXExportTests", dependencies: ["ONNXExport", "NeuralNet"]),
        // Reads Sources/ and this file: imports point down the layers, declarations match imports.
        .testTarget(name: "ArchitectureTests", dependencies: ["TestSupport", "LoupeCommands"]),
        // One training step on 2 ranks against one process (run alone, it starts itself again under mpirun).
        .testTarget(name: "DataParallelTests", dependencies: ["Workflow", "NeuralNet", "TensorCore", "LoupeBase", "LoupeMPI"]),
    ]
)

// Fuzzing (scripts/fuzz, docs/reliability.md): one libFuzzer target per parser. They exist only
// when the manifest is read with LOUPE_FUZZ=1 and are built with --sanitize=fuzzer in their own
// scratch folder; each defines LLVMFuzzerTestOneInput and takes libFuzzer's main.
if ProcessInfo.processInfo.environment["LOUPE_FUZZ"] == "1" {
    let fuzzTargets: [(String, Target.Dependency)] = [
        ("png", "Imaging"), ("jpeg", "Imaging"), ("pth", "NeuralNet"), ("safetensors", "NeuralNet"),
        ("model", "NeuralNet"), ("script", "LoupeLang"),
    ]
    for (name, dependency) in fuzzTargets {
        package.targets.append(.executableTarget(name: "fuzz-\(name)", dependencies: [dependency], path: "Fuzz/\(name)",
                                                 swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    }
}
