import CBQCore

/// psql's aligned table: columns as wide as their widest cell (by display width: CJK counts two,
/// combining marks none), numbers right-aligned, a row-count footer. On a terminal the table is
/// fitted to its width: the widest columns shrink first, and cut values end with `…`. Rows are
/// kept until the end, since widths depend on every row.
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
    private var rows: [[String]] = []
    private var numeric: [Bool] = []

    /// `\x auto`: rows too wide for the terminal print as vertical records instead.
    private let verticalWhenTooWide: Bool

    init(output: OutputStream, terminalWidth: Int?, verticalWhenTooWide: Bool = false) {
        self.output = output
        self.terminalWidth = terminalWidth
        self.verticalWhenTooWide = verticalWhenTooWide
    }

    func begin(_ columns: [ResultColumn]) {
        self.columns = columns
        numeric = Array(repeating: true, count: columns.count)
    }

    func write(_ row: ResultRow) {
        var cells: [String] = []
        cells.reserveCapacity(columns.count)
        for (index, column) in columns.enumerated() {
            let (text, isNumber) = row.cell(column, at: index)
            if let text, !isNumber, !text.isEmpty { numeric[index] = false }
            cells.append(Cell.clean(text ?? "", limit: nil))
        }
        rows.append(cells)
    }

    func finish(rowCount: Int) {
        if !columns.isEmpty {
            var widths = columns.map { DisplayWidth.of($0.name) }
            for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], DisplayWidth.of(cell)) } }
            if let terminalWidth, verticalWhenTooWide, Self.lineWidth(widths) > terminalWidth {
                // Exactly what `\x on` prints, footer included (only "(0 rows)").
                let vertical = VerticalRenderer(output: output, maxValueWidth: max(20, terminalWidth - 24))
                vertical.begin(columns)
                for row in rows { vertical.write(.values(row.map { SQLValue.text($0) })) }
                vertical.finish(rowCount: rowCount)
                return
            }
            if let terminalWidth { widths = Self.fit(widths, into: terminalWidth) }
            // Header centred, as psql does.
            output.write(" " + columns.enumerated().map { Cell.center(Cell.clean($0.element.name, limit: widths[$0.offset]), widths[$0.offset]) }
                .joined(separator: " | ") + "\n")
            output.write(widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "\n")
            for row in rows {
                output.write(byte: UInt8(ascii: " "))
                for (index, full) in row.enumerated() {
                    if index > 0 { output.write(" | ") }
                    let cell = terminalWidth == nil ? full : Cell.clean(full, limit: widths[index])
                    let padding = widths[index] - DisplayWidth.of(cell)
                    let isLast = index == row.count - 1
                    if numeric[index] { output.write(Cell.spaces(padding)) }
                    output.write(cell)
                    if !numeric[index] && !isLast { output.write(Cell.spaces(padding)) }
                }
                output.write(byte: 0x0A)
                output.flushIfNeeded()
            }
        }
        output.write("(\(counted(rowCount, "row")))\n")
    }

    /// The cells a row of these column widths takes, with one to spare: " a | b | c" has 3n-2
    /// cells of separators.
    static func lineWidth(_ widths: [Int]) -> Int { widths.reduce(0, +) + 3 * widths.count - 1 }

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
        var text = text
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

    static func center(_ text: String, _ width: Int) -> String {
        let space = max(0, width - DisplayWidth.of(text))
        let left = space / 2
        return String(repeating: " ", count: left) + text + String(repeating: " ", count: space - left)
    }
}
