/// Preformatted text: code, program output, error messages, shown as written.
extension HTML {
    /// `<pre>` of `text` escaped, with an optional `class`; `code` marks it up as code inside.
    public static func preformatted(_ text: String, class name: String? = nil, code: Bool = false) -> String {
        let inner = code ? "<code>\(escape(text))</code>" : escape(text)
        return "<pre\(name.map { " class=\"\(escape($0))\"" } ?? "")>\(inner)</pre>"
    }
}
