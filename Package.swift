// swift-tools-version:6.0
// Loupe: a command-line workbench for training image classifiers on a CPU.
// Layers (arrows point down only): loupe → LoupeCommands → {LoupeLang, Workflow, Plotting}
// Workflow → {NeuralNet, Datasets}; NeuralNet → TensorCore; Datasets → Imaging.
// TensorCore → {CDNNL (oneDNN: convolutions), CBLAS (OpenBLAS: linear layers), COpenMP (one thread pool)}.
import PackageDescription

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
        .systemLibrary(name: "CPNG", path: "Sources/CPNG"),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG"),
        .systemLibrary(name: "CReadline", path: "Sources/CReadline"),
        .systemLibrary(name: "CFreeType", path: "Sources/CFreeType", pkgConfig: "freetype2"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // setjmp/longjmp error recovery for libpng and libjpeg lives in C: Swift cannot longjmp.
        .target(name: "CCodecs", dependencies: ["CPNG", "CJPEG"], path: "Sources/CCodecs"),

        // Engine
        .target(name: "TensorCore", dependencies: ["CBLAS", "CDNNL", "COpenMP"], exclude: ["README.md"]),
        .target(name: "NeuralNet", dependencies: ["TensorCore"], exclude: ["IO/README.md"]),
        // Data
        .target(name: "Imaging", dependencies: ["CCodecs"], exclude: ["README.md"]),
        .target(name: "Datasets", dependencies: ["Imaging", "TensorCore", "CZlib"], exclude: ["README.md"]),
        // Figures
        .target(name: "Plotting", dependencies: ["Imaging", "CFreeType"], exclude: ["README.md"]),
        // Language (knows no machine learning)
        .target(name: "LoupeLang", exclude: ["README.md"]),
        // Training loop, evaluation, reports
        .target(name: "Workflow", dependencies: ["NeuralNet", "Datasets", "Plotting"], exclude: ["Report/README.md"]),
        // Binds the language to the layers below
        .target(name: "LoupeCommands", dependencies: ["LoupeLang", "Workflow", "Plotting", "Datasets", "NeuralNet", "TensorCore"]),
        .executableTarget(name: "loupe", dependencies: ["LoupeCommands", "LoupeLang", "CReadline"], exclude: ["README.md"]),

        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets"]),
        .testTarget(name: "PlottingTests", dependencies: ["Plotting"], resources: [.copy("Golden")]),
        .testTarget(name: "LoupeLangTests", dependencies: ["LoupeLang"], resources: [.copy("Scripts")]),
        .testTarget(name: "LoupeCommandsTests", dependencies: ["LoupeCommands", "LoupeLang", "Workflow", "Datasets", "NeuralNet", "Imaging", "TensorCore"]),
        .testTarget(name: "WorkflowTests", dependencies: ["Workflow"]),
    ]
)
