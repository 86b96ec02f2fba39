import CBQCore

/// A GitHub-flavoured Markdown table: `|` and inline markup escaped, line breaks (a lone CR
/// too) as `<br>`, control characters made visible (``VisibleText``).
final class MarkdownRenderer: ResultRenderer {
    private let output: OutputStream
    private var columns: [ResultColumn] = []

    init(output: OutputStream) { self.output = output }

    func begin(_ columns: [ResultColumn]) {
        self.columns = columns
        guard !columns.isEmpty else { return }
        output.write("| " + columns.map { escape($0.name) }.joined(separator: " | ") + " |\n")
        output.write("|" + columns.map { _ in " --- |" }.joined() + "\n")
    }

    func write(_ row: ResultRow) {
        output.write("| " + columns.enumerated().map { escape(row.text($0.element, at: $0.offset) ?? "") }.joined(separator: " | ") + " |\n")
        output.flushIfNeeded()
    }

    func finish(rowCount: Int) {}

    /// A value as literal text in a cell: Markdown's inline syntax (`*x*`, `` `x` ``, `<b>`,
    /// `&amp;`, `[a](b)`, `~~x~~`) backslash-escaped, so the table shows the value, not its
    /// rendering; line breaks as `<br>`.
    private func escape(_ text: String) -> String {
        var escaped = ""
        let visible = VisibleText.of(text).replacing("\r\n", with: "\n")
        for scalar in visible.unicodeScalars {
            switch scalar {
            // Not `_`: GitHub's Markdown ignores it inside words, and names such as first_name
            // stay readable; nor `#`, which means nothing inside a table.
            case "\\", "|", "*", "`", "<", ">", "&", "[", "]", "~":
                escaped.unicodeScalars.append("\\")
                escaped.unicodeScalars.append(scalar)
            case "\n", "\r": escaped += "<br>"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
