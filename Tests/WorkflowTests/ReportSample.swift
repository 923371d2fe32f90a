import Imaging
import Plotting
import Workflow

/// A report with every kind of block, built from fixed numbers.
enum ReportSample {
    static func report() throws -> Report {
        let classes = ["cat", "dog", "dog_breed_1", "fox"]
        var data = ReportSection("Data")
        data.paragraph("A folder per class, split 80/10/10 by a seeded shuffle. Names like dog_breed_1 <must> stay literal & escaped.")
        data.keyValues([("images", "3 204"), ("classes", "4"), ("input size", "64×64 RGB"), ("seed", "42")])
        data.table(ReportTable(columns: ["class", "train", "dev", "test", "share"],
                               rows: [["cat", "800", "100", "100", "31.2%"], ["dog", "790", "99", "99", "30.8%"],
                                      ["dog_breed_1", "320", "40", "40", "12.5%"], ["fox", "653", "82", "82", "25.5%"]],
                               caption: "Images per split"))
        data.warning("dog_breed_1 has under half the images of the largest class (400 vs 1000).")
        data.figure(ReportFigure(image: BarChart.classCounts(names: classes, counts: [1000, 988, 400, 817]).image(),
                                 caption: "Images per class; the dashed line is half the largest class.", name: "class counts"))

        var training = ReportSection("Training")
        training.keyValues([("architecture", "ResNet-18"), ("optimizer", "AdamW, lr 1e-3, weight decay 1e-4"),
                            ("best epoch", "9 of 12 (early stop after 3 epochs without improvement)")])
        var loss = LineChart(title: "Loss", xLabel: "epoch", yLabel: "loss", series: [
            .init("train", y: [2.1, 1.45, 1.12, 0.93, 0.8, 0.7, 0.62, 0.55, 0.49, 0.44, 0.4, 0.36]),
            .init("dev", y: [1.8, 1.3, 1.05, 0.92, 0.84, 0.79, 0.76, 0.74, 0.73, 0.74, 0.76, 0.79]),
        ])
        loss.verticalMarkers = [.init(x: 9, label: "best epoch 9", color: Palette.bluishGreen)]
        loss.width = 640
        loss.height = 400
        training.figure(ReportFigure(image: loss.image(scale: 2), caption: "Training and dev loss per epoch.", name: "loss",
                                     pixelRatio: 2))
        training.code("m = resnet18 classes=4\nfit m d epochs=12 lr=1e-3 patience=3")

        var evaluation = ReportSection("Evaluation")
        evaluation.table(ReportTable(columns: ["metric", "value"], rows: [["accuracy", "0.912"], ["macro F1", "0.897"]]))
        let counts = [[92, 5, 1, 2], [6, 88, 4, 1], [2, 9, 27, 2], [1, 0, 1, 80]]
        var matrix = Heatmap.confusionMatrix(classNames: classes, counts: counts, normalized: true)
        matrix.width = 640
        matrix.height = 480
        evaluation.figure(ReportFigure(image: matrix.image(), caption: "Confusion matrix, rows normalised.", name: "confusion"))
        var mistakes = ReportSection("Mistakes")
        var grey = Image(width: 28, height: 28, channels: 1)
        for y in 0..<28 { for x in 0..<28 { grey[x, y, 0] = UInt8((x * 9 + y * 3) % 256) } }
        mistakes.figure(ReportFigure(image: ImageGrid(cells: [
            .prediction(grey, trueLabel: "cat", predicted: "dog", confidence: 0.93),
            .prediction(grey, trueLabel: "fox", predicted: "dog_breed_1", confidence: 0.71),
        ], columns: 2).image(), caption: "The worst mistakes.", name: "mistakes"))
        evaluation.subsections = [mistakes]

        return Report(title: "Run 3 — pets classifier", subtitle: "Model pets-r18 · dataset pets (4 classes)",
                      sections: [data, training, evaluation])
    }
}
