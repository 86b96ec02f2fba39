import CBQCore

/// psql's aligned table: columns as wide as their widest cell (by display width: CJK counts two,
/// combining marks none), numbers right-aligned, a row-count footer. On a terminal a table too
/// wide keeps whole columns, as many as fit from both ends, with one `…` column for the rest
/// and a footer saying how many are hidden (DuckDB's rule); a value is cut (ending in `…`) only
/// when one column alone is wider than the screen.
///
/// Widths come from the first ``sampleSize`` rows; after them the table streams, so memory
/// stays flat however many rows come. A later value wider than its column is cut on a terminal
/// (and the footer counts those), and written whole, out of line, anywhere else: text in a
/// file is never lost to a layout.
///
///      first_name | last_name | age
///     ------------+-----------+-----
///      Zoë        | Nguyễn    |  12
///     (1 row)
final class TableRenderer: ResultRenderer {
    private let output: OutputStream
    /// The terminal's width; nil when output is not a terminal (nothing is cut).
    private let terminalWidth: Int?
    private var columns: [ResultColumn] = []
    /// Rows held until the sample is full (then the layout is fixed and they are written);
    /// nil for NULL.
    private var held: [[String?]] = []
    /// Columns whose values in the sample are all numbers (right-aligned); one of only NULLs
    /// is not.
    private var numeric: [Bool] = []
    private var sawNumber: [Bool] = []
    private let sampleSize: Int

    /// `\x auto`: rows too wide for the terminal print as vertical records instead.
    private let verticalWhenTooWide: Bool

    /// The column names in bold (ANSI), on a terminal that takes colour.
    private let boldHeader: Bool

    /// Once the sample is laid out: where each shown slot's column is (nil: the `…` column),
    /// and each slot's width.
    private var layout: [Int?] = []
    private var cellWidths: [Int] = []
    /// Each column's widest cell in the sample.
    private var sampledWidths: [Int] = []
    private var laidOut = false
    private var hidden = 0
    /// After the sample, when the layout chose records (`\x auto`): the rest go there too.
    private var vertical: VerticalRenderer?
    /// Values after the sample cut to their column's width (on a terminal).
    private var cutAfterSample = 0

    private let nulls: NullDisplay

    init(output: OutputStream, terminalWidth: Int?, verticalWhenTooWide: Bool = false, boldHeader: Bool = false, nulls: NullDisplay = NullDisplay(),
         sampleSize: Int = 1_000) {
        self.output = output
        self.nulls = nulls
        self.terminalWidth = terminalWidth
        self.verticalWhenTooWide = verticalWhenTooWide
        self.boldHeader = boldHeader
        self.sampleSize = max(1, sampleSize)
    }

    func begin(_ columns: [ResultColumn]) {
        self.columns = columns
        numeric = Array(repeating: true, count: columns.count)
        sawNumber = Array(repeating: false, count: columns.count)
    }

    func write(_ row: ResultRow) {
        if let vertical {
            vertical.write(row)
            return
        }
        var cells: [String?] = []
        cells.reserveCapacity(columns.count)
        for (index, column) in columns.enumerated() {
            let (text, isNumber) = row.cell(column, at: index)
            if !laidOut, let text, !text.isEmpty {
                if isNumber { sawNumber[index] = true } else { numeric[index] = false }
            }
            cells.append(text.map { Cell.clean($0, limit: nil) })
        }
        if laidOut {
            line(cells)
            output.flushIfNeeded()
            return
        }
        held.append(cells)
        if held.count >= sampleSize { layOut() }
    }

    func finish(rowCount: Int) {
        if !laidOut { layOut() }
        if let vertical {
            vertical.finish(rowCount: rowCount)
            return
        }
        output.write("(\(counted(rowCount, "row")))\n")
        if hidden > 0 {
            output.write("\(counted(hidden, "column")) of \(columns.count) hidden (…); \\x shows every column\n")
        }
        if cutAfterSample > 0 {
            output.write("\(counted(cutAfterSample, "value")) after the first \(sampleSize) rows cut to their column's width (…); \\x shows them whole\n")
        }
    }

    /// Fixes the columns' widths from the rows held, writes the header and those rows.
    private func layOut() {
        laidOut = true
        defer { held = [] }
        guard !columns.isEmpty else { return }
        var widths = columns.map { DisplayWidth.of(Cell.clean($0.name, limit: nil)) }
        for row in held { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], DisplayWidth.of(cell ?? nulls.text)) } }
        sampledWidths = widths
        numeric = zip(numeric, sawNumber).map { $0 && $1 }
        var shown = Array(columns.indices)
        if let terminalWidth, Self.lineWidth(widths) > terminalWidth {
            shown = Self.columnsThatFit(widths, into: terminalWidth)
            hidden = columns.count - shown.count
            // `\x auto`: records when a table would hide half the columns or more.
            if verticalWhenTooWide, hidden * 2 >= columns.count {
                // Exactly what `\x on` prints, footer included (only "(0 rows)").
                let vertical = VerticalRenderer(output: output, maxValueWidth: max(20, terminalWidth - 24), nulls: nulls)
                vertical.begin(columns)
                for row in held { vertical.write(row) }
                self.vertical = vertical
                return
            }
        }
        // The hidden columns show as one `…` column where they were, between the first
        // columns and the last (DuckDB's rule); a single column wider than the screen is cut.
        let gap = shown.indices.dropFirst().first { shown[$0] != shown[$0 - 1] + 1 }
        layout = shown.map { $0 }
        if let gap { layout.insert(nil, at: gap) } else if hidden > 0 { layout.insert(nil, at: shown.first == 0 ? layout.count : 0) }
        cellWidths = layout.map { $0.map { widths[$0] } ?? 1 }
        if let terminalWidth, Self.lineWidth(cellWidths) > terminalWidth { cellWidths = Self.fit(cellWidths, into: terminalWidth) }
        // Header centred, as psql does.
        output.write(" " + layout.enumerated().map { slot, column in
            let name = column.map { Cell.clean(columns[$0].name, limit: cellWidths[slot]) } ?? "…"
            let space = max(0, cellWidths[slot] - DisplayWidth.of(name))
            let shown = boldHeader && column != nil ? "\u{1B}[1m" + name + "\u{1B}[0m" : name
            return String(repeating: " ", count: space / 2) + shown + String(repeating: " ", count: space - space / 2)
        }.joined(separator: " | ") + "\n")
        output.write(cellWidths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "\n")
        for row in held {
            line(row, streaming: false)
            output.flushIfNeeded()
        }
    }

    /// One row in the fixed layout.
    private func line(_ row: [String?], streaming: Bool = true) {
        output.write(byte: UInt8(ascii: " "))
        for (slot, column) in layout.enumerated() {
            if slot > 0 { output.write(" | ") }
            let isNull = column.map { row[$0] == nil } ?? false
            let full = column.map { row[$0] ?? nulls.text } ?? "…"
            let width = cellWidths[slot]
            var text = full
            let fullWidth = DisplayWidth.of(full)
            if fullWidth > width, terminalWidth != nil {
                text = Cell.clean(full, limit: width)
                // A value wider than every one in the sample (not one cut to fit the screen).
                if streaming, let column, fullWidth > sampledWidths[column] { cutAfterSample += 1 }
            }
            let padding = width - DisplayWidth.of(text)
            let right = column.map { numeric[$0] } ?? false
            if right { output.write(Cell.spaces(padding)) }
            output.write(isNull ? nulls.shown(text) : text)
            if !right && slot < layout.count - 1 { output.write(Cell.spaces(padding)) }
        }
        output.write(byte: 0x0A)
    }

    /// The cells a row of these column widths takes, with one to spare: " a | b | c" has 3n-2
    /// cells of separators.
    static func lineWidth(_ widths: [Int]) -> Int { widths.reduce(0, +) + 3 * widths.count - 1 }

    /// The columns to show, in order, when all of them would not fit `total` cells: taken
    /// from both ends inwards (the first, the last, the second, the one before the last, …)
    /// while they fit beside a one-cell `…` column for the rest; when one end's next column
    /// does not fit, the other end goes on alone. When none fits, the first column alone, cut.
    static func columnsThatFit(_ widths: [Int], into total: Int) -> [Int] {
        var front: [Int] = [], back: [Int] = []
        var left = 0, right = widths.count - 1
        var leftOpen = true, rightOpen = true
        var takeLeft = true
        func fits(_ candidate: [Int]) -> Bool {
            lineWidth(candidate.map { widths[$0] } + (candidate.count < widths.count ? [1] : [])) <= total
        }
        while left <= right && (leftOpen || rightOpen) {
            if takeLeft && leftOpen || !rightOpen {
                if fits(front + [left] + back) { front.append(left); left += 1 } else { leftOpen = false }
            } else {
                if fits(front + [right] + back) { back.insert(right, at: 0); right -= 1 } else { rightOpen = false }
            }
            takeLeft.toggle()
        }
        let shown = front + back
        return shown.isEmpty ? [0] : shown
    }

    /// Narrows the widest columns, one cell at a time, until a row fits `total` cells; no column
    /// goes below 6 cells.
    static func fit(_ widths: [Int], into total: Int) -> [Int] {
        var widths = widths
        while lineWidth(widths) > total {
            guard let widest = widths.indices.max(by: { widths[$0] < widths[$1] }), widths[widest] > 6 else { break }
            widths[widest] -= 1
        }
        return widths
    }
}

enum Cell {
    /// One line per cell: line breaks and tabs shown as visible marks, and cut to `limit` cells.
    static func clean(_ text: String, limit: Int?) -> String {
        var text = VisibleText.of(text)
        var hasBreaks = false
        text.withUTF8 { bytes in hasBreaks = bytes.contains { $0 == 0x0A || $0 == 0x0D || $0 == 0x09 } }
        if hasBreaks {
            text = text.replacing("\r\n", with: "↵").replacing("\n", with: "↵").replacing("\r", with: "↵").replacing("\t", with: "→")
        }
        guard let limit, DisplayWidth.of(text) > limit else { return text }
        var cut = ""
        var width = 0
        for character in text {
            let w = DisplayWidth.of(character)
            if width + w > limit - 1 { break }
            cut.append(character)
            width += w
        }
        return cut + "…"
    }

    private static let spaceRun = [UInt8](repeating: 0x20, count: 256)

    /// `count` spaces, as bytes, without building a string.
    static func spaces(_ count: Int) -> ArraySlice<UInt8> {
        count <= 0 ? [] : (count <= 256 ? spaceRun[..<count] : ArraySlice(repeating: 0x20, count: count))
    }

    static func padRight(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - DisplayWidth.of(text)))
    }

}
