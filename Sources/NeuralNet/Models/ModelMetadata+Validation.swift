/// Checks of a `.loupe` file's metadata against its architecture and its tensors, made before
/// a network is allocated for it.
///
/// The JSON of a model file is user input: a hand-edited or corrupt file may claim a width of
/// 2^40, a version of `Int.max` (the next save adds one) or three normalisation channels for a
/// grey network. Each field is checked here, and the error names the field and its value.
extension ModelMetadata {
    /// Largest version a save may count up to.
    static let maxVersion = 1_000_000_000

    /// Throws `ModelStoreError.notALoupeModel` naming the first field out of range.
    /// - Parameter elementsInFile: the number of tensor elements the file holds; an architecture
    ///   needing more weights than that cannot be what the file stores.
    func validate(path: String, elementsInFile: Int) throws {
        func refuse(_ reason: String) -> ModelStoreError { .notALoupeModel(path: path, reason: reason) }
        guard (1...ModelMetadata.currentFormat).contains(format) else {
            throw format > ModelMetadata.currentFormat
                ? refuse("it was written by a newer Loupe (format \(format)); upgrade Loupe to read it")
                : refuse("its format \(format) is not a Loupe format (1 to \(ModelMetadata.currentFormat))")
        }
        guard (1...ModelMetadata.maxVersion).contains(version) else {
            throw refuse("its version \(version) is out of range (1 to \(ModelMetadata.maxVersion))")
        }
        guard (1...4096).contains(inputWidth), (1...4096).contains(inputHeight) else {
            throw refuse("its input size \(inputWidth)x\(inputHeight) is out of range (1x1 to 4096x4096)")
        }
        if let crop, !(crop >= 0.25 && crop <= 1) {
            throw refuse("its centre crop keeps \(crop) of the image (0.25 to 1)")
        }
        let a = architecture
        guard a.stages.count == a.widths.count, a.stageKinds.count == a.stages.count, !a.stages.isEmpty,
              a.stages.allSatisfy({ (1...64).contains($0) }), a.widths.allSatisfy({ (1...4096).contains($0) }) else {
            throw refuse("its architecture's stages \(a.stages.prefix(8)) and widths \(a.widths.prefix(8)) are out of range "
                         + "(1 to 64 blocks and 1 to 4096 channels per stage, as many of each)")
        }
        guard (1...64).contains(a.inputChannels), (1...100_000).contains(a.classes), (1...1000).contains(a.depth) else {
            throw refuse("its architecture (depth \(a.depth), \(a.inputChannels) input channels, \(a.classes) classes) is out of range")
        }
        if let hidden = a.hidden, !(16...4096).contains(hidden) {
            throw refuse("its hidden layer of \(hidden) units is out of range (16 to 4096)")
        }
        guard a.dropout.isFinite, a.dropout >= 0, a.dropout < 1 else {
            throw refuse("its dropout \(a.dropout) is out of range (0 to below 1)")
        }
        guard classNames.count == a.classes else {
            throw refuse("it names \(classNames.count) classes for \(a.classes) outputs")
        }
        let n = normalization
        guard n.mean.count == a.inputChannels, n.std.count == a.inputChannels else {
            throw refuse("its normalisation has \(n.mean.count) means and \(n.std.count) deviations for \(a.inputChannels) input channels")
        }
        guard n.mean.allSatisfy(\.isFinite), n.std.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw refuse("its normalisation holds a mean that is not finite or a deviation that is not positive")
        }
        // At least one 3x3 convolution of w x w channels per block, plus the output layer: a lower
        // bound, so it never refuses a real file, yet it keeps the allocation near the file's size.
        var needed = 0.0
        for (blocks, width) in zip(a.stages, a.widths) { needed += Double(blocks) * 9 * Double(width) * Double(width) }
        needed += Double(a.hidden ?? a.classes) * Double(a.widths.last!) + Double(a.classes) * Double(a.hidden ?? 0)
        guard needed <= Double(elementsInFile) else {
            throw refuse("its architecture needs at least \(Int(needed)) weights but the file holds \(elementsInFile)")
        }
    }
}
