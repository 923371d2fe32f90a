import LoupeLang

/// The largest input size a user may ask of a dataset or a model, checked where the size is given.
///
/// Models and datasets share the bound, so any dataset's size fits a new model. Past it, one
/// `show` of sixteen RGB images would already need gigabytes (and `Int.max` sides overflow).
enum InputSizeLimits {
    static let maxSide = 4096

    /// Throws a message naming `parameter` unless `minSide`…`maxSide` holds for both sides.
    static func check(width: Int, height: Int, parameter: String, minSide: Int = 1) throws(CommandError) {
        guard width >= minSide, height >= minSide, width <= maxSide, height <= maxSide else {
            throw .invalidArgument(parameter: parameter, message: "the input size must be between \(minSide)x\(minSide) and "
                                   + "\(maxSide)x\(maxSide), got \(width)x\(height)")
        }
    }
}
