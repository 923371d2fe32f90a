import Imaging
import Plotting
import XCTest

/// Every chart kind rendered from fixed data, compared pixel for pixel with its committed PNG.
final class GoldenFigureTests: XCTestCase {
    func testLossCurves() throws { try GoldenImage.check(SampleData.lossChart().image(), named: "line-loss") }
    func testAccuracyCurves() throws { try GoldenImage.check(SampleData.accuracyChart().image(), named: "line-accuracy") }
    func testLearningRateRangeTest() throws { try GoldenImage.check(SampleData.lrRangeChart().image(), named: "line-lr-range") }
    func testLearningRateSweep() throws { try GoldenImage.check(SampleData.lrSweepChart().image(), named: "line-lr-sweep") }
}

extension GoldenFigureTests {
    func testClassCounts() throws { try GoldenImage.check(SampleData.classCountChart().image(), named: "bar-class-counts") }
    func testBarLabelsWrapOrTurn() throws { try GoldenImage.check(SampleData.longNameBarChart().image(), named: "bar-long-names") }
    func testConfusionCounts() throws { try GoldenImage.check(SampleData.confusionCounts().image(), named: "heatmap-counts") }
    func testConfusionNormalized() throws { try GoldenImage.check(SampleData.confusionNormalized().image(), named: "heatmap-normalized") }
    func testConfidenceHistogram() throws { try GoldenImage.check(SampleData.confidenceHistogram().image(), named: "histogram-confidence") }
    func testMistakesGrid() throws { try GoldenImage.check(SampleData.mistakesGrid().image(), named: "grid-mistakes") }
    func testMontageGrid() throws { try GoldenImage.check(SampleData.montageGrid().image(), named: "grid-montage") }
    func testMixedImageGrid() throws { try GoldenImage.check(SampleData.mixedGrid().image(), named: "grid-mixed") }
    func testLossCurvesAtScale2() throws { try GoldenImage.check(SampleData.lossChart().image(scale: 2), named: "line-loss-scale2") }
}

extension GoldenFigureTests {
    func testManyClassHeatmap() throws { try GoldenImage.check(SampleData.manyClassHeatmap().image(), named: "heatmap-many-classes") }
    func testManyClassBars() throws { try GoldenImage.check(SampleData.manyClassBars().image(), named: "bar-many-classes") }
    func testAugmentationPreview() throws { try GoldenImage.check(SampleData.augmentationPreview().image(), named: "grid-augmentation") }
}
