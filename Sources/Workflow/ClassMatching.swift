/// How a model's outputs line up with a dataset's classes: the one rule every place where a
/// model meets labelled data follows (training, fine-tuning, the learning-rate tests, the overfit
/// check, evaluation, reports).
public enum ClassMatch: Equatable, Sendable {
    /// The same names in the same order: output k is class k.
    case same
    /// The model's names are the placeholders "0"…"N-1" of a model built for N classes, and the
    /// data has N classes: output k is the data's class k. Training adopts the data's names.
    case byPosition

    /// The rule, in order: the same names match; a different number of classes is refused
    /// (`classCountMismatch`); the same names in another order are refused, since labels would be
    /// matched wrongly (`classOrderDiffers`); a model with the placeholder names matches by
    /// position; any other names are refused (`classNamesDiffer`).
    public static func between(model: [String], data: [String]) throws(WorkflowError) -> ClassMatch {
        if model == data { return .same }
        try checkCount(model: model.count, data: data.count)
        if Set(model) == Set(data) { throw .classOrderDiffers(model: model, data: data) }
        if model == placeholderNames(model.count) { return .byPosition }
        throw .classNamesDiffer(model: model, data: data)
    }

    /// The part of the rule that counts alone can check, for sources that know how many classes
    /// they have but not their names (`BatchSource`).
    public static func checkCount(model: Int, data: Int) throws(WorkflowError) {
        guard model == data else { throw .classCountMismatch(model: model, data: data) }
    }

    /// "0", "1", … "N-1": the class names of a model built for N classes without names.
    public static func placeholderNames(_ n: Int) -> [String] { (0..<n).map(String.init) }
}
