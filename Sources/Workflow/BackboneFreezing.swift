import NeuralNet

extension ResNet {
    /// Runs `body` with the backbone frozen (`true`), trainable (`false`) or as it is (`nil`), and
    /// puts the freeze state back however `body` ends: a return, a throw, an interrupted run.
    func withBackbone<T>(frozen: Bool?, _ body: () throws -> T) rethrows -> T {
        guard let frozen else { return try body() }
        let was = backboneFrozen
        freezeBackbone(frozen)
        defer { freezeBackbone(was) }
        return try body()
    }
}
