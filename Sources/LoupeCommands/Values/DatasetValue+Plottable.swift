import Datasets
import Plotting

extension DatasetValue: Plottable {
    /// `plot d` draws the class counts; `plot d what=samples` a labelled grid of samples.
    public var plotKinds: [String] { ["counts", "samples"] }

    public func figure(_ what: String) throws -> any Figure {
        if what == "samples" {
            let chosen = DataCommands.spreadChoice(dataset, n: 16, seed: 0)
            return DataFigures.samples(dataset, indices: chosen, title: "Samples of \(figureStem)")
        }
        return DataFigures.classCounts(dataset)
    }

    public var figureStem: String { DataCommands.fileStem(dataset, subset: subset) }
}
