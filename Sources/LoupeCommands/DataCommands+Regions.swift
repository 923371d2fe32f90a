import LoupeLang
import Datasets

extension DataCommands {
    static var cropCommand: CommandSpec {
        CommandSpec(
            name: "crop", group: group,
            summary: "keep a region of interest of every image (x, y, width, height in pixels)",
            parameters: [
                .positional("d", .kind("dataset"), help: "the dataset; it is updated in place"),
                .option("roi", .tuple(count: 4), help: "(X, Y, W, H): left, top, width, height in pixels"),
            ],
            result: "nothing; the dataset's images become their region (images it misses are listed and left out)",
            example: "crop d roi=(2, 2, 24, 24)"
        ) { call in try cropDataset(call) }
    }

    static var tileCommand: CommandSpec {
        CommandSpec(
            name: "tile", group: group,
            summary: "cut every image into R×C patches (rows x columns); each patch keeps its image's label and split",
            parameters: [
                .positional("d", .kind("dataset"), help: "the dataset; it is updated in place"),
                .positional("grid", .size, help: "RxC: rows x columns, e.g. 2x3 = 2 rows of 3 patches"),
            ],
            result: "nothing; the dataset has R×C times as many images",
            example: "tile d 2x2"
        ) { call in try tileDataset(call) }
    }

    static func wholeDataset(_ call: CommandInvocation, _ verb: String) throws -> DatasetValue {
        let value = try call.arguments.object("d", as: DatasetValue.self)
        if let s = value.subset {
            throw CommandError.invalidArgument(parameter: "d", message: "this is the \(s.rawValue) split; \(verb) the whole dataset (\(verb) d …), its splits follow")
        }
        return value
    }

    static func cropDataset(_ call: CommandInvocation) throws -> Value {
        let value = try wholeDataset(call, "crop")
        guard case .tuple(let items)? = call.arguments["roi"] else {
            throw CommandError.invalidArgument(parameter: "roi", message: "give the region as roi=(X, Y, W, H), e.g. roi=(0, 0, 100, 80)")
        }
        let numbers = items.compactMap { v -> Double? in if case .number(let x) = v { x } else { nil } }
        guard numbers.count == 4, numbers.allSatisfy({ $0 == $0.rounded() && abs($0) < 1e9 }) else {
            throw CommandError.invalidArgument(parameter: "roi", message: "X, Y, W and H are whole pixel counts")
        }
        let roi = PixelRegion(x: Int(numbers[0]), y: Int(numbers[1]), width: Int(numbers[2]), height: Int(numbers[3]))
        let before = value.dataset
        let result = try translatingErrors { try before.cropping(to: roi) }
        try report(before: before, after: result, what: "cropped to \(roi)", call: call)
        value.dataset = result
        return .none
    }

    static func tileDataset(_ call: CommandInvocation) throws -> Value {
        let value = try wholeDataset(call, "tile")
        // A size literal is WxH; for tiles LANGUAGE.md reads it as rows x columns.
        let (rows, columns) = try call.arguments.size("grid")
        // Each side is bounded before the product, which would overflow for 9223372036854775807x2.
        guard rows >= 1, columns >= 1, rows <= 4096, columns <= 4096, rows * columns <= 4096 else {
            throw CommandError.invalidArgument(parameter: "grid", message: "give rows x columns between 1x1 and 64x64, e.g. 2x3")
        }
        let before = value.dataset
        let result = try translatingErrors(parameters: ["tile": "grid"]) { try before.tiling(rows: rows, columns: columns) }
        try report(before: before, after: result, what: "cut into \(rows)x\(columns) tiles (rows x columns)", call: call)
        value.dataset = result
        return .none
    }

    /// How the call wrote its dataset argument when that is a plain name (`crop parts …` → "parts").
    static func datasetArgumentName(_ call: CommandInvocation) -> String {
        if let first = call.call.arguments.first, first.label == nil, case .name(let n) = first.value.kind { return n }
        return "d"
    }

    /// Prints the new size and counts, and the images that fell out; refuses a result with no images.
    static func report(before: Dataset, after: Dataset, what: String, call: CommandInvocation) throws {
        let lost = after.unreadable.count - before.unreadable.count
        guard after.count > 0 else {
            let reason = after.unreadable.last.map { ": \($0.reason)" } ?? ""
            throw CommandError.invalidArgument(parameter: call.call.name == "crop" ? "roi" : "grid",
                                               message: "no image would be left\(reason)")
        }
        let size = after.typicalShape.map { ", now \($0.width)x\($0.height)" } ?? ""
        call.write("\(what): \(before.count) → \(after.count) images\(size)")
        if let s = after.requestedSize {
            call.write("note: size=\(s.width)x\(s.height) was given at load, so models still see \(s.width)x\(s.height)")
        }
        if let split = after.split { call.write("split: train \(split.train.count), val \(split.val.count), test \(split.test.count)") }
        if lost > 0 {
            call.write("left out \(counted(lost, "image")):")
            for u in after.unreadable.suffix(lost).prefix(5) { call.write("  \(u.path): \(u.reason)") }
            if lost > 5 { call.write("  … and \(lost - 5) more (\(datasetArgumentName(call)).unreadable)") }
        }
    }
}
