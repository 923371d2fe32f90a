/// A whole page: nothing fetched from anywhere (inline CSS with system fonts, figures as data URIs).
extension HTML {
    /// The complete document: `<head>` with `title` and the one stylesheet, then a `<main>` that
    /// opens with a header (`heading` as `<h1>`, `subtitle` under it when there is one) and goes
    /// on with `body`, HTML already made of the other pieces.
    public static func page(title: String, heading: String, subtitle: String = "", body: String) -> String {
        var out = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        \(stylesheet)
        </style>
        </head>
        <body>
        <main>
        <header>
        <h1>\(escape(heading))</h1>

        """
        if !subtitle.isEmpty { out += "<p class=\"subtitle\">\(escape(subtitle))</p>\n" }
        out += "</header>\n"
        out += body
        out += "</main>\n</body>\n</html>\n"
        return out
    }

    /// The one style sheet of every page: system fonts only (nothing to download), readable line
    /// length, quiet tables; then the notebook page's cells (statement, output, error).
    public static let stylesheet = """
    :root { --ink: #222; --muted: #5f6368; --rule: #e3e3e3; --accent: #0072b2; --warn-bg: #fff4e5; --warn: #b35900; --error: #a00; }
    * { box-sizing: border-box; }
    body { margin: 0; background: #fafafa; color: var(--ink);
      font: 16px/1.55 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
    main { max-width: 1000px; margin: 0 auto; padding: 40px 32px 64px; background: #fff; min-height: 100vh; }
    header { border-bottom: 2px solid var(--ink); margin-bottom: 24px; padding-bottom: 12px; }
    h1 { font-size: 30px; line-height: 1.2; margin: 0 0 4px; }
    .subtitle { color: var(--muted); margin: 0; }
    h2 { font-size: 22px; margin: 40px 0 12px; padding-bottom: 4px; border-bottom: 1px solid var(--rule); }
    h3 { font-size: 18px; margin: 28px 0 8px; }
    h4, h5, h6 { font-size: 16px; margin: 20px 0 6px; }
    p { margin: 0 0 12px; max-width: 72ch; }
    nav ol { margin: 0 0 8px; padding-left: 22px; color: var(--muted); }
    nav a { color: var(--accent); text-decoration: none; }
    nav a:hover { text-decoration: underline; }
    table { border-collapse: collapse; margin: 8px 0 20px; font-size: 15px; }
    .table-wrap { overflow-x: auto; }
    th, td { padding: 5px 12px; text-align: left; vertical-align: top; }
    table.kv th { color: var(--muted); font-weight: 500; padding-left: 0; white-space: nowrap; }
    table.kv tr + tr th, table.kv tr + tr td { border-top: 1px solid var(--rule); }
    table.data thead th { border-bottom: 2px solid var(--ink); font-weight: 600; }
    table.data td { border-bottom: 1px solid var(--rule); }
    table.data tbody tr:nth-child(even) { background: #f7f7f7; }
    caption { caption-side: top; text-align: left; color: var(--muted); padding-bottom: 4px; }
    .num { text-align: right; font-variant-numeric: tabular-nums; }
    figure { margin: 16px 0 28px; }
    figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--rule); }
    figcaption { color: var(--muted); font-size: 14px; margin-top: 6px; }
    figcaption .label { font-weight: 600; color: var(--ink); }
    .warning { background: var(--warn-bg); border-left: 4px solid var(--warn); padding: 10px 14px; margin: 12px 0; }
    .warning strong { color: var(--warn); margin-right: 6px; }
    pre { background: #f4f4f4; padding: 12px 14px; overflow-x: auto; font-size: 14px; line-height: 1.45; }
    code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
    .cell { border-left: 3px solid #ccd; margin: 16px 0; padding: 2px 12px; }
    .cell .in { display: flex; gap: 10px; }
    .cell .n { color: #889; font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; padding-top: 6px; }
    .cell pre { margin: 4px 0; white-space: pre-wrap; }
    .cell .code { background: #f4f5f8; padding: 4px 8px; flex: 1; }
    .cell .out, .cell .err { background: none; padding: 2px 0; }
    .err { color: var(--error); }
    @media print { body { background: #fff; } main { padding: 0; } }
    """
}
