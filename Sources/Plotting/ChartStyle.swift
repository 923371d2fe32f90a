/// Sizes used by every chart for one render, all derived from the figure's `scale`.
///
/// Values are chosen for a 960×600 figure read on a screen at scale 1; scale 2 doubles every
/// length, so a figure keeps its look at any resolution.
struct ChartStyle {
    let scale: Double
    let titleSize: Int
    let labelSize: Int
    let tickSize: Int
    let smallSize: Int
    let pad: Double
    let gap: Double
    let tickLength: Double
    let lineWidth: Double
    let markerRadius: Double
    let axisLine: Double

    init(scale: Double) {
        let s = max(0.25, scale.isFinite ? scale : 1)
        self.scale = s
        titleSize = max(6, Int((17 * s).rounded()))
        labelSize = max(6, Int((14 * s).rounded()))
        tickSize = max(6, Int((12 * s).rounded()))
        smallSize = max(6, Int((11 * s).rounded()))
        pad = 16 * s
        gap = 6 * s
        tickLength = 5 * s
        lineWidth = 2 * s
        markerRadius = 3.5 * s
        axisLine = max(1, s.rounded())
    }

    /// A length in figure points turned into pixels.
    func px(_ points: Double) -> Double { points * scale }

    /// A canvas size in figure points turned into whole pixels.
    func pixels(_ points: Int) -> Int { max(1, Int((Double(points) * scale).rounded())) }
}
