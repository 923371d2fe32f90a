extension Array {
    /// The element at `i`, or nil past either end (per-bar colours and cell texts may be shorter than the data).
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
