import Foundation

/// Fashion-MNIST's class names in label order.
public let fashionMNISTClasses = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                  "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

/// Contents of one IDX file: its dimensions and raw unsigned bytes.
struct IDXArray {
    var dims: [Int]
    var bytes: [UInt8]
}

/// Parses an IDX file (gzipped or not); only the unsigned-byte element type is accepted.
func readIDX(path: String) throws -> IDXArray {
    let raw = try readMaybeGzipped(path: path)
    guard raw.count >= 4, raw[0] == 0, raw[1] == 0 else {
        throw DatasetError.idx(path: path, reason: "missing the IDX magic number")
    }
    guard raw[2] == 0x08 else {
        throw DatasetError.idx(path: path, reason: "element type 0x\(String(raw[2], radix: 16)) is not unsigned bytes")
    }
    let ndims = Int(raw[3])
    guard (1...4).contains(ndims), raw.count >= 4 + 4 * ndims else {
        throw DatasetError.idx(path: path, reason: "bad number of dimensions (\(ndims))")
    }
    var dims = [Int]()
    var total = 1
    for d in 0..<ndims {
        let o = 4 + 4 * d
        let v = Int(raw[o]) << 24 | Int(raw[o + 1]) << 16 | Int(raw[o + 2]) << 8 | Int(raw[o + 3])
        dims.append(v)
        // Checked before anything is allocated from these numbers.
        let (product, overflow) = total.multipliedReportingOverflow(by: v)
        guard !overflow, product <= raw.count else {
            throw DatasetError.idx(path: path, reason: "dimensions \(dims) exceed the file size")
        }
        total = product
    }
    let header = 4 + 4 * ndims
    guard raw.count - header == total else {
        throw DatasetError.idx(path: path, reason: "expected \(total) data bytes for dimensions \(dims), found \(raw.count - header)")
    }
    return IDXArray(dims: dims, bytes: Array(raw[header...]))
}

extension Dataset {
    /// Loads MNIST-style IDX files from a folder: `train-images*`/`train-labels*` and, when
    /// present, `t10k-images*`/`t10k-labels*`, which become the preset test split.
    ///
    /// Class names: `classNames` when given; Fashion-MNIST's names when the folder's path
    /// mentions "fashion"; otherwise the digits "0"…"9" (or as many as the labels need).
    public static func loadIDX(folder: String, classNames: [String]? = nil) throws -> Dataset {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw DatasetError.notFound(path: folder)
        }
        let names = try fm.contentsOfDirectory(atPath: folder).sorted()
        func find(_ prefix: String, _ kind: String) -> String? {
            names.first { n in
                let l = n.lowercased()
                return l.hasPrefix(prefix) && l.contains(kind) && l.contains("idx")
            }.map { folder + "/" + $0 }
        }
        guard let trainImages = find("train", "images"), let trainLabels = find("train", "labels") else {
            throw DatasetError.unknownFormat(path: folder, reason: "no train-images-idx3-ubyte and train-labels-idx1-ubyte files")
        }
        var parts = [(images: String, labels: String)]()
        parts.append((trainImages, trainLabels))
        if let ti = find("t10k", "images"), let tl = find("t10k", "labels") { parts.append((ti, tl)) }

        var bytes = [UInt8]()
        var labels = [Int]()
        var shape: ImageShape?
        var partCounts = [Int]()
        for part in parts {
            let images = try readIDX(path: part.images)
            let labelArray = try readIDX(path: part.labels)
            guard images.dims.count == 3 || (images.dims.count == 4 && [1, 3].contains(images.dims[3])) else {
                throw DatasetError.idx(path: part.images, reason: "images need dimensions [count, rows, columns], found \(images.dims)")
            }
            guard labelArray.dims.count == 1 else {
                throw DatasetError.idx(path: part.labels, reason: "labels need one dimension, found \(labelArray.dims)")
            }
            guard labelArray.dims[0] == images.dims[0] else {
                throw DatasetError.idx(path: part.labels, reason: "\(labelArray.dims[0]) labels for \(images.dims[0]) images in \(part.images)")
            }
            let s = ImageShape(width: images.dims[2], height: images.dims[1], channels: images.dims.count == 4 ? images.dims[3] : 1)
            if let shape, shape != s {
                throw DatasetError.idx(path: part.images, reason: "image size \(s.width)x\(s.height) differs from the training images")
            }
            shape = s
            bytes += images.bytes
            labels += labelArray.bytes.map(Int.init)
            partCounts.append(images.dims[0])
        }
        let maxLabel = labels.max() ?? 0
        let classes: [String]
        if let classNames {
            guard classNames.count > maxLabel else {
                throw DatasetError.invalidParameter(name: "labels", value: "\(classNames.count) names",
                                                    reason: "the IDX labels go up to \(maxLabel)")
            }
            classes = classNames
        } else if folder.lowercased().contains("fashion"), maxLabel < 10 {
            classes = fashionMNISTClasses
        } else {
            classes = (0...max(maxLabel, 9)).map(String.init)
        }
        let s = shape!
        let block = ImageBlock(width: s.width, height: s.height, channels: s.channels, count: labels.count, bytes: bytes)
        let samples = labels.indices.map { Sample(source: .memory($0), label: labels[$0], shape: s) }
        let test = partCounts.count > 1 ? Array(partCounts[0]..<labels.count) : nil
        let store = ImageStore(block: block, decoder: { path, _ in
            throw DatasetError.unreadable(path: path, reason: "an IDX dataset has no image files")
        })
        return Dataset(path: folder, format: .idx, classes: classes, samples: samples, presetTest: test, store: store)
    }
}
