import LoupeLang

/// The "Training" family of LANGUAGE.md: overfit, lr_range, lr_find, train, fine_tune, resume.
extension CommandRegistry {
    public mutating func registerTrainingCommands() {
        registerOverfitCommand()
        registerRateCommands()
        registerTrainCommands()
        registerFineTuneCommand()
        registerKind(KindDoc(kind: "run", summary: "a training run (train, fine_tune)", attributes: [
            ("epochs", "epochs run so far"),
            ("best_epoch", "epoch with the lowest dev loss"),
            ("best_loss", "the lowest dev loss (train loss without a dev set)"),
            ("accuracy", "dev accuracy at the best epoch"),
            ("history", "a table: epoch, losses, accuracies, lr, seconds"),
            ("stopped_early", "whether early stopping ended it"),
            ("model", "the model it trains"),
            ("folder", "its folder: history.csv, curves.png, checkpoints"),
        ]))
        registerKind(KindDoc(kind: "lr_range", summary: "a learning-rate range test (lr_range)", attributes: [
            ("best", "the largest rate whose training loss falls consistently (none when no rate does)"),
            ("table", "rate, first loss, last loss, decreasing?"),
        ]))
        registerKind(KindDoc(kind: "lr_find", summary: "fastai's learning-rate sweep (lr_find)", attributes: [
            ("suggestion", "fastai's valley suggestion"),
            ("minimum", "a tenth of the rate with the lowest loss"),
            ("steep", "the rate where the loss falls fastest"),
            ("table", "rate and smoothed loss per batch"),
        ]))
        registerKind(KindDoc(kind: "overfit", summary: "the verdict of overfit", attributes: [
            ("passed", "loss ≈ 0 and 100% accuracy on the images"),
            ("loss", "loss on the images, evaluation mode"),
            ("accuracy", "accuracy on the images, evaluation mode"),
            ("causes", "likely causes of a failure"),
        ]))
    }

    /// Models and Training, the two families this file's helper owns.
    public mutating func registerModelAndTrainingCommands() {
        registerModelCommands()
        registerTrainingCommands()
    }
}
