/// Double-to-Int conversions that never trap, for display code fed by training and files.
extension Int {
    /// `value` rounded toward zero and clamped to `Int`'s range; 0 for NaN.
    ///
    /// `Int(_:)` traps on NaN, on infinity and past ±9.2e18, and a diverging loss gets there:
    /// code that only shows a number uses this instead.
    public init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= Double(Int.max) {
            self = .max
        } else if value <= Double(Int.min) {
            self = .min
        } else {
            self = Int(value)
        }
    }
}
