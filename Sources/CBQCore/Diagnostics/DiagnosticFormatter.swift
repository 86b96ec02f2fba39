/// Prints a ``Diagnostic`` the way compilers people trust do.
///
/// The rich form, for a terminal:
///
///     error: expected a value after '>'
///      --> report.cbq:3:24
///       |
///     3 | SELECT * FROM people.people WHERE age >
///       |                                        ^ expected a number, string or column name
///       = hint: compare against a value, e.g. age > 18
///
/// The one-line form, for logs and editors: `report.cbq:3:24: error: expected a value after '>'`.
public struct DiagnosticFormatter: Sendable {
    public enum Style: Sendable { case rich, oneLine }

    public var style: Style
    /// Wrap "error" and the caret in ANSI colour (only when writing to a terminal).
    public var colors: Bool
    /// Added to every line number, for a statement that starts part-way into a file.
    public var lineOffset: Int

    public init(style: Style, colors: Bool = false, lineOffset: Int = 0) {
        self.style = style
        self.colors = colors
        self.lineOffset = lineOffset
    }

    public func format(_ diagnostic: Diagnostic, in source: SourceText) -> String {
        var location = source.location(of: diagnostic.range.start)
        location.line += lineOffset
        switch style {
        case .oneLine:
            var text = "\(source.name):\(location): error: \(diagnostic.message)"
            if let hint = diagnostic.hint { text += " (\(hint))" }
            return text
        case .rich:
            return rich(diagnostic, in: source, at: location)
        }
    }

    private func rich(_ diagnostic: Diagnostic, in source: SourceText, at location: SourceLocation) -> String {
        let (lineText, lineStart) = source.line(containing: diagnostic.range.start)
        let gutter = String(location.line)
        let pad = String(repeating: " ", count: gutter.count)
        // The caret sits under the column as a terminal shows it: wide characters take two cells.
        let before = source.slice(SourceRange(lineStart, diagnostic.range.start))
        let lineEnd = lineStart + lineText.utf8.count
        let covered = source.slice(SourceRange(diagnostic.range.start, min(diagnostic.range.end, lineEnd)))
        let indent = before.map { $0 == "\t" ? "\t" : String(repeating: " ", count: DisplayWidth.of($0)) }.joined()
        let carets = String(repeating: "^", count: max(1, DisplayWidth.of(covered)))

        var lines: [String] = []
        lines.append(paint("error", "1;31") + paint(": \(diagnostic.message)", "1"))
        lines.append("\(pad)\(paint("-->", "34")) \(source.name):\(location)")
        lines.append("\(pad) \(paint("|", "34"))")
        lines.append("\(paint(gutter, "34")) \(paint("|", "34")) \(lineText)")
        var caretLine = "\(pad) \(paint("|", "34")) \(indent)\(paint(carets, "1;31"))"
        if let label = diagnostic.label { caretLine += " " + paint(label, "1;31") }
        lines.append(caretLine)
        if let hint = diagnostic.hint { lines.append("\(pad) \(paint("= hint:", "1")) \(hint)") }
        return lines.joined(separator: "\n")
    }

    private func paint(_ text: String, _ code: String) -> String {
        colors ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
