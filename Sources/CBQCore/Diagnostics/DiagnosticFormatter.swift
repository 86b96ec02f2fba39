/// Prints a ``Diagnostic`` the way compilers people trust do: the first line in the
/// `file:line:col: error: message` form that editors and CI logs parse (clang's, rustc's), then
/// the source line with a caret under what it is about, then the hint.
///
///     report.cbq:3:40: error: expected a value after '>'
///       |
///     3 | SELECT * FROM people.people WHERE age >
///       |                                        ^ expected a number, string or column name
///       = hint: compare against a value, e.g. age > 18
///
/// The shell prints the rich form, on a terminal or not; the one-line form (the first line
/// and the hint in parentheses) is for callers that want a line per error. A very long line is
/// shown as a window around the caret, so a megabyte statement prints a few dozen characters.
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

    /// Characters of context shown on each side of the caret on a long line.
    static let context = 60

    /// Control characters in the message, the source line and the rest (a server's error
    /// text, a statement's literal) are shown, not obeyed: see ``VisibleText``.
    public func format(_ diagnostic: Diagnostic, in source: SourceText) -> String {
        var diagnostic = diagnostic
        diagnostic.message = VisibleText.of(diagnostic.message)
        diagnostic.label = diagnostic.label.map { VisibleText.of($0) }
        diagnostic.hint = diagnostic.hint.map { VisibleText.of($0) }
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
        let lineEnd = lineStart + lineText.utf8.count
        var before = Array(source.slice(SourceRange(lineStart, diagnostic.range.start)))
        var covered = Array(source.slice(SourceRange(diagnostic.range.start, min(diagnostic.range.end, lineEnd))))
        var after = Array(source.slice(SourceRange(min(diagnostic.range.end, lineEnd), lineEnd)))
        var prefix = "", suffix = ""
        if before.count > Self.context { before = Array(before.suffix(Self.context)); prefix = "…" }
        if covered.count > Self.context { covered = Array(covered.prefix(Self.context)); after = []; suffix = "…" }
        if after.count > Self.context { after = Array(after.prefix(Self.context)); suffix = "…" }
        let shown = VisibleText.of(prefix + String(before) + String(covered) + String(after) + suffix)
        // The caret sits under the column as a terminal shows it: wide characters take two cells.
        let indent = (prefix.isEmpty ? "" : " ") + before.map { $0 == "\t" ? "\t" : String(repeating: " ", count: DisplayWidth.of($0)) }.joined()
        let carets = String(repeating: "^", count: max(1, DisplayWidth.of(String(covered))))

        var lines: [String] = []
        lines.append(paint("\(source.name):\(location): ", "1") + paint("error", "1;31") + paint(": \(diagnostic.message)", "1"))
        lines.append("\(pad) \(paint("|", "34"))")
        lines.append("\(paint(gutter, "34")) \(paint("|", "34")) \(shown)")
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
