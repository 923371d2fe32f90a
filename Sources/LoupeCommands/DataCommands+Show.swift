import Foundation
import LoupeLang
import Datasets
import Imaging
import Plotting
import TensorCore
import LoupeBase

extension DataCommands {
    static var showCommand: CommandSpec {
        CommandSpec(
            name: "show", group: group,
            summary: "a labelled grid of samples (the same choice for the same seed)",
            parameters: [
                .positional("d", .kind("dataset"), help: "a dataset or one of its splits (d.train)"),
                .option("n", .integer, default: .integer(16), help: "how many images"),
                .option("to", .string, help: "PNG file (default: the work folder)"),
            ],
            result: "a figure",
            example: "show d n=8"
        ) { call in try showSamples(call) }
    }

    static var previewCommand: CommandSpec {
        CommandSpec(
            name: "preview", group: group,
            summary: "originals beside augmented variants, to check that the augmentation keeps labels true",
            parameters: [
                .positional("d", .kind("dataset"), help: "a dataset with an augmentation (augment d ...)"),
                .option("n", .integer, default: .integer(8), help: "how many originals (one row each)"),
                .option("to", .string, help: "PNG file (default: the work folder)"),
            ],
            result: "a figure: each row an original, then augmented variants captioned with what was drawn",
            example: "preview d n=4"
        ) { call in try previewAugmentation(call) }
    }

    static func count(_ call: CommandInvocation, _ name: String, max: Int) throws -> Int {
        let n = try call.arguments.integer(name)
        guard (1...max).contains(n) else {
            throw CommandError.invalidArgument(parameter: name, message: "between 1 and \(max), not \(n)")
        }
        return n
    }

    static func showSamples(_ call: CommandInvocation) throws -> Value {
        let value = try call.arguments.object("d", as: DatasetValue.self)
        let n = try count(call, "n", max: 400)
        let d = value.dataset
        guard d.count > 0 else { throw CommandError.invalidArgument(parameter: "d", message: "the dataset has no images") }
        let chosen = spreadChoice(d, n: n, seed: seed(call.session, for: .show))
        let stem = fileStem(d, subset: value.subset)
        let grid = DataFigures.samples(d, indices: chosen, title: "\(chosen.count) samples of \(stem)")
        let path = try figurePath(call, defaultName: "\(stem)-samples.png")
        return try writeFigure(grid, to: path, title: "samples of \(stem)", call: call)
    }

    static func previewAugmentation(_ call: CommandInvocation) throws -> Value {
        let value = try call.arguments.object("d", as: DatasetValue.self)
        let n = try count(call, "n", max: 64)
        if let s = value.subset, s != .train {
            throw CommandError.invalidArgument(parameter: "d", message: "the \(s.rawValue) split is never augmented (augmentation is for training only); preview d or d.train")
        }
        guard let settings = value.dataset.augmentation else {
            throw CommandError.invalidArgument(parameter: "d", message: "no augmentation is set; set one first, e.g. augment d flip_h rotate=10")
        }
        let pool = value.subset == nil ? (value.dataset.subset(.train) ?? value.dataset) : value.dataset
        guard pool.count > 0 else { throw CommandError.invalidArgument(parameter: "d", message: "the dataset has no training images") }
        let size = pool.size ?? ImageSize(width: 64, height: 64)
        let prep = Preprocessing(width: size.width, height: size.height, channels: pool.channels ?? 3)
        let previewSeed = seed(call.session, for: .preview)
        let chosen = spreadChoice(pool, n: n, seed: previewSeed)
        let variants = 5
        var cells = [ImageGrid.Cell]()
        var labels = [String]()
        // Decoded at the scale training decodes at (a large JPEG at libjpeg's reduced scale).
        let target = BatchLoader.decodeTarget(for: prep, augmentation: settings)
        for i in chosen {
            labels.append(DataFigures.className(pool, i))
            guard let image = try? pool.withImage(at: i, atLeast: (target.width, target.height), { $0 }) else {
                cells.append(ImageGrid.Cell(DataFigures.blank(width: size.width, height: size.height), caption: ["unreadable"], captionColor: Palette.wrong))
                for _ in 0..<variants { cells.append(ImageGrid.Cell(DataFigures.blank(width: size.width, height: size.height))) }
                continue
            }
            cells.append(ImageGrid.Cell(prep.render(image).toImage(), caption: ["original"], captionColor: Palette.blue))
            // Each original's variants come from its own stream, so n=4 shows the first rows of n=8.
            var rng = SeededGenerator(seed: previewSeed, stream: UInt64(i) + 1)
            for _ in 0..<variants {
                let draw = settings.draw(using: &rng)
                let augmented = prep.render(image, draw: draw, rng: &rng).toImage()
                cells.append(ImageGrid.Cell(augmented, caption: drawCaption(draw)))
            }
        }
        let described = "Augmentation preview: \(settingsLine(settings))"
        var grid = ImageGrid(title: described.count <= 80 ? described : "Augmentation preview: originals, then \(variants) random draws each",
                             cells: cells, columns: 1 + variants)
        grid.rowLabels = labels
        let stem = fileStem(pool)
        let path = try figurePath(call, defaultName: "\(stem)-augmentation.png")
        return try writeFigure(grid, to: path, title: "augmentation preview of \(stem)", call: call)
    }

    /// What one draw did, in up to five short lines ("flip, rot -7°", "zoom 1.06").
    static func drawCaption(_ d: AugmentationDraw) -> [String] {
        if d.untouched { return ["untouched"] }
        var items = [String]()
        if d.flipH { items.append("flip") }
        if d.flipV { items.append("flip v") }
        if d.turns != 0 { items.append("turn \(d.turns * 90)°") }
        if d.angle != 0 { items.append("rot \(Int((d.angle * 180 / .pi).rounded()))°") }
        if d.scale != 1 { items.append(String(format: "zoom %.2f", d.scale)) }
        if d.shiftX != 0 || d.shiftY != 0 { items.append("shift \(Int((d.shiftX * 100).rounded())),\(Int((d.shiftY * 100).rounded()))%") }
        if d.shear != 0 { items.append("shear \(Int((d.shear * 180 / .pi).rounded()))°") }
        if d.cropWidth < 1 || d.cropHeight < 1 { items.append("crop \(Int((d.cropWidth * d.cropHeight * 100).rounded()))%") }
        if d.brightness != 1 { items.append(String(format: "bright %.2f", d.brightness)) }
        if d.contrast != 1 { items.append(String(format: "contr %.2f", d.contrast)) }
        if d.saturation != 1 { items.append(String(format: "sat %.2f", d.saturation)) }
        if d.hue != 0 { items.append(String(format: "hue %+.2f", d.hue)) }
        if d.noise != 0 { items.append(String(format: "noise %.2f", d.noise)) }
        if d.blurSigma != 0 { items.append(String(format: "blur %.1f", d.blurSigma)) }
        if d.erase != nil { items.append("erase") }
        if items.isEmpty { return ["no change drawn"] }
        var lines = [String]()
        for item in items {
            if let last = lines.last, last.count + 2 + item.count <= 22 {
                lines[lines.count - 1] = last + ", " + item
            } else {
                lines.append(item)
            }
        }
        return lines.count > 5 ? Array(lines.prefix(4)) + [lines.dropFirst(4).joined(separator: ", ")] : lines
    }
}
