/// A value that another layer defines (a dataset, a model, a run, a figure, …).
///
/// LoupeLang knows nothing of machine learning: it only asks an object for its kind, a
/// one-line summary, and its attributes. Conform a type to this protocol and return it from
/// a command as `.object(x)`.
public protocol LoupeObject: AnyObject {
    /// The kind users see in `vars`, `help KIND` and type errors ("dataset", "model").
    var kind: String { get }
    /// One readable line: what the REPL shows and `print` writes.
    var summary: String { get }
    /// Attribute names, in the order `help` and Tab completion list them.
    var attributeNames: [String] { get }
    /// The attribute's value, or `nil` when the object has no such attribute.
    func attribute(named name: String) -> Value?
    /// Image files (PNG) that show this value; `--notebook` embeds them under the statement.
    var figurePaths: [String] { get }
    /// A table view of the value for `export VALUE "FILE.csv"`, when it has one.
    var table: Table? { get }
}

extension LoupeObject {
    public var figurePaths: [String] { [] }
    public var table: Table? { nil }
}
