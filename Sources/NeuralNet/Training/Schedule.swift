#if canImport(Glibc)
import Glibc
#endif

/// A learning-rate schedule over a known number of optimizer steps.
public enum Schedule: String, Sendable, Codable, CaseIterable {
    /// The base rate throughout.
    case constant
    /// ×0.1 at 50% and again at 75% of training (the classic ResNet recipe).
    case step
    /// Cosine annealing from the base rate to 0 (torch CosineAnnealingLR, eta_min 0).
    case cosine
    /// One-cycle (torch OneCycleLR defaults): cosine warm-up over 30% of the steps from
    /// base/25 to base, then cosine annealing to base/(25·10⁴).
    case onecycle

    /// The rate at step `step` (0-based) of `total` steps for base rate `base`.
    public func rate(base: Float, step: Int, total: Int) -> Float {
        let total = max(total, 1)
        let progress = Double(min(step, total)) / Double(total)
        func cosineBetween(_ a: Double, _ b: Double, _ t: Double) -> Double { b + (a - b) * (1 + cos(Double.pi * t)) / 2 }
        switch self {
        case .constant:
            return base
        case .step:
            return base * (progress >= 0.75 ? 0.01 : progress >= 0.5 ? 0.1 : 1)
        case .cosine:
            return Float(cosineBetween(Double(base), 0, progress))
        case .onecycle:
            let peak = Double(base), start = peak / 25, end = start / 1e4
            let warm = 0.3 * Double(total) - 1
            let s = Double(step)
            if s <= warm { return Float(cosineBetween(start, peak, warm > 0 ? s / warm : 1)) }
            let rest = Double(total) - 1 - warm
            return Float(cosineBetween(peak, end, rest > 0 ? min(1, (s - warm) / rest) : 1))
        }
    }
}
