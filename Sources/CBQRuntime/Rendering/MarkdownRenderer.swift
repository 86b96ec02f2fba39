import CBQCore

/// A GitHub-flavoured Markdown table: `|` escaped, line breaks (a lone CR too) as `<br>`,
/// control characters made visible (``VisibleText``).
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

    private func escape(_ text: String) -> String {
        VisibleText.of(text).replacing("\\", with: "\\\\").replacing("|", with: "\\|").replacing("\r\n", with: "<br>").replacing("\n", with: "<br>")
            .replacing("\r", with: "<br>")
    }
}
