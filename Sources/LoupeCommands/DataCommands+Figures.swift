import Foundation
import Datasets
import Imaging
import Plotting
import TensorCore

/// The Data family's figures, built from a dataset and (for review figures) its review.
enum DataFigures {
    /// Images larger than this (longest side) are shrunk before they go into a grid, so a
    /// montage of 12-megapixel photos does not hold gigabytes.
    static let thumbnailSide = 320

    static func thumbnail(_ image: Image, side: Int = thumbnailSide) -> Image {
        let longest = max(image.width, image.height)
        guard longest > side else { return image }
        let w = max(1, image.width * side / longest), h = max(1, image.height * side / longest)
        return (try? image.resized(width: w, height: h)) ?? image
    }

    /// A white image that keeps a grid's rows aligned where a class has fewer images.
    static func blank(width: Int, height: Int) -> Image {
        Image(width: max(1, width), height: max(1, height), channels: 1,
              pixels: [UInt8](repeating: 255, count: max(1, width) * max(1, height)))
    }

    /// The image of sample `i` as a grid shows it: its own pixels, or what the model sees when
    /// the dataset asks for a size or channel count.
    ///
    /// A large JPEG is decoded at libjpeg's reduced scale when it stays at least the size shown
    /// (the model's input, or `thumbnailSide` on its shorter side).
    static func displayImage(_ d: Dataset, _ i: Int) -> Image? {
        if d.requestedSize != nil || d.requestedChannels != nil, let size = d.size, let channels = d.channels {
            let p = Preprocessing(width: size.width, height: size.height, channels: channels)
            return try? d.withImage(at: i, atLeast: (size.width, size.height)) { p.render($0).toImage() }
        }
        return try? d.withImage(at: i, atLeast: (thumbnailSide, thumbnailSide)) { thumbnail($0) }
    }

    /// A sample's file name relative to the dataset folder ("class0/img3.png"), or "#index".
    static func shortName(_ d: Dataset, _ i: Int) -> String {
        let name = d.samples[i].displayName
        let prefix = d.path.hasSuffix("/") ? d.path : d.path + "/"
        return name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : name
    }

    /// A sample's file name alone, for captions that already name the class ("bolt_004.png").
    static func captionName(_ d: Dataset, _ i: Int) -> String {
        (d.samples[i].name as NSString).lastPathComponent
    }

    /// True when the members of a duplicate group carry different labels (one copy is mislabelled).
    static func labelsDiffer(_ d: Dataset, _ g: DuplicateGroup) -> Bool {
        Set(g.samples.map { d.samples[$0].label ?? -1 }).count > 1
    }

    static func className(_ d: Dataset, _ i: Int) -> String {
        d.samples[i].label.map { d.classes[$0] } ?? "unlabelled"
    }

    static func classCounts(_ d: Dataset) -> BarChart {
        let counts = d.counts
        var chart = BarChart.classCounts(names: d.classes, counts: counts)
        chart.title = "Images per class (\(d.count) in all)"
        // The half-of-largest line only says something when a class falls under it; on balanced
        // data its label has nowhere to go but onto the value labels of the tallest bars.
        if let largest = counts.max(), !counts.contains(where: { 2 * $0 < largest }) { chart.referenceLine = nil }
        return chart
    }

    /// A labelled grid of the given samples: class name and file under each image.
    static func samples(_ d: Dataset, indices: [Int], title: String) -> ImageGrid {
        let cells = indices.map { i -> ImageGrid.Cell in
            guard let image = displayImage(d, i) else {
                return ImageGrid.Cell(blank(width: 28, height: 28), caption: [className(d, i), "unreadable"], captionColor: Palette.wrong)
            }
            return ImageGrid.Cell(image, caption: [className(d, i), captionName(d, i)])
        }
        return ImageGrid(title: title, cells: cells, columns: indices.count <= 4 ? indices.count : nil)
    }

    /// One row per class with up to `perClass` samples, the class name at the left of its row.
    static func montage(_ d: Dataset, review: DatasetReview) -> ImageGrid {
        let columns = max(1, review.montage.map(\.count).max() ?? 1)
        var cells = [ImageGrid.Cell]()
        var labels = [String]()
        let blankSize = d.size ?? ImageSize(width: 28, height: 28)
        for (c, members) in review.montage.enumerated() {
            labels.append("\(d.classes[c]) (\(review.counts[c]))")
            for i in members {
                cells.append(ImageGrid.Cell(displayImage(d, i) ?? blank(width: blankSize.width, height: blankSize.height)))
            }
            for _ in members.count..<columns {
                cells.append(ImageGrid.Cell(blank(width: blankSize.width, height: blankSize.height)))
            }
        }
        var grid = ImageGrid(title: "Samples per class", cells: cells, columns: columns)
        grid.rowLabels = labels
        return grid
    }

    /// The mean image of each class: where the content sits, and how alike a class's images are.
    static func means(_ d: Dataset, review: DatasetReview) -> ImageGrid {
        let cells = review.meanImages.enumerated().map { c, image -> ImageGrid.Cell in
            let caption = [d.classes[c], "\(review.counts[c]) images"]
            guard let image else { return ImageGrid.Cell(blank(width: 28, height: 28), caption: [d.classes[c], "no images"]) }
            return ImageGrid.Cell(image, caption: caption)
        }
        return ImageGrid(title: "Mean image per class", cells: cells, columns: min(max(1, cells.count), 8))
    }

    /// Up to 12 duplicate groups, one per row (leaks across splits first), at most 4 images each.
    static func duplicates(_ d: Dataset, review: DatasetReview) -> ImageGrid? {
        let groups = reviewGroups(review)
        guard !groups.isEmpty else { return nil }
        let shown = Array(groups.prefix(12))
        let columns = min(4, shown.map(\.samples.count).max() ?? 2)
        let membership = d.membership
        var cells = [ImageGrid.Cell]()
        var labels = [String]()
        let blankSize = d.size ?? ImageSize(width: 28, height: 28)
        for g in shown {
            let leak = g.subsets.count > 1, conflict = labelsDiffer(d, g)
            labels.append([g.exact ? "exact" : "near", leak ? "leak" : nil, conflict ? "labels differ" : nil,
                           g.samples.count > columns ? "\(g.samples.count) images" : nil].compactMap { $0 }.joined(separator: ", "))
            for i in shownMembers(g, membership: membership, limit: columns) {
                var caption = [captionName(d, i), className(d, i)]
                if let s = membership[i] { caption[1] += " · \(s.rawValue)" }
                let image = displayImage(d, i) ?? blank(width: blankSize.width, height: blankSize.height)
                cells.append(ImageGrid.Cell(image, caption: caption, captionColor: leak || conflict ? Palette.wrong : .ink))
            }
            for _ in min(columns, g.samples.count)..<columns {
                cells.append(ImageGrid.Cell(blank(width: blankSize.width, height: blankSize.height)))
            }
        }
        let more = groups.count > shown.count ? " (first \(shown.count) of \(groups.count) groups)" : ""
        var grid = ImageGrid(title: "Duplicates\(more)", cells: cells, columns: columns)
        grid.rowLabels = labels
        return grid
    }

    /// Up to `limit` members of a group, one from each split first, so a large group that leaks
    /// shows the leak instead of its first few training images.
    static func shownMembers(_ g: DuplicateGroup, membership: [Subset?], limit: Int) -> [Int] {
        var chosen = [Int]()
        var seen = Set<Subset?>()
        for i in g.samples where !seen.contains(membership[i]) && chosen.count < limit {
            seen.insert(membership[i])
            chosen.append(i)
        }
        for i in g.samples where chosen.count < limit && !chosen.contains(i) { chosen.append(i) }
        return chosen.sorted()
    }

    /// Exact and near duplicate groups, those across splits first.
    static func reviewGroups(_ review: DatasetReview) -> [DuplicateGroup] {
        let all = review.exactDuplicates + review.nearDuplicates
        return all.filter { Set($0.subsets).count > 1 } + all.filter { Set($0.subsets).count <= 1 }
    }
}
