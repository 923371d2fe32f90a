import Imaging

extension Dataset {
    /// A dataset of images already in memory (tests, tiles and crops made by other commands).
    ///
    /// `labels[i]` indexes `classes` (nil: unlabelled); `testIndices`, when given, become the
    /// preset test split, as `t10k-*` files do for IDX.
    public static func inMemory(images: [Image], labels: [Int?], classes: [String], name: String = "memory",
                                testIndices: [Int]? = nil) throws -> Dataset {
        guard images.count == labels.count else {
            throw DatasetError.invalidParameter(name: "labels", value: "\(labels.count) labels", reason: "there are \(images.count) images")
        }
        if let bad = labels.compactMap({ $0 }).first(where: { $0 < 0 || $0 >= classes.count }) {
            throw DatasetError.invalidParameter(name: "labels", value: "\(bad)", reason: "only \(classes.count) classes")
        }
        let samples = images.indices.map { i in
            Sample(source: .memory(i), label: labels[i],
                   shape: ImageShape(width: images[i].width, height: images[i].height, channels: images[i].channels))
        }
        let store = ImageStore(images: images, decoder: { path, _ in
            throw DatasetError.unreadable(path: path, reason: "an in-memory dataset has no image files")
        })
        return Dataset(path: name, format: .memory, classes: classes, samples: samples, presetTest: testIndices, store: store)
    }
}
