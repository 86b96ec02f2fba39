import CBQCore

/// psql's expanded display (`\x`): one block per row, a line per column.
final class VerticalRenderer: ResultRenderer {
    private let output: OutputStream
    private let maxValueWidth: Int?
    private var columns: [ResultColumn] = []
    private var nameWidth = 0
    private var count = 0
    private let nulls: NullDisplay

    init(output: OutputStream, maxValueWidth: Int?, nulls: NullDisplay = NullDisplay()) {
        self.output = output
        self.maxValueWidth = maxValueWidth
        self.nulls = nulls
    }

    func begin(_ columns: [ResultColumn]) {
        self.columns = columns
        nameWidth = columns.map { DisplayWidth.of(Cell.clean($0.name, limit: nil)) }.max() ?? 0
    }

    func write(_ row: ResultRow) {
        write(columns.enumerated().map { row.text($0.element, at: $0.offset) })
    }

    /// A record of cells, nil for NULL.
    func write(_ cells: [String?]) {
        count += 1
        let values = cells.map { Cell.clean($0 ?? nulls.text, limit: maxValueWidth) }
        let valueWidth = values.map { DisplayWidth.of($0) }.max() ?? 0
        // psql marks where the name column ends: -[ RECORD 1 ]-+-------
        let title = "-[ RECORD \(count) ]"
        if title.count < nameWidth + 1 {
            output.write(title + String(repeating: "-", count: nameWidth + 1 - title.count) + "+" + String(repeating: "-", count: valueWidth + 1) + "\n")
        } else {
            output.write(title + String(repeating: "-", count: max(1, nameWidth + valueWidth + 3 - title.count)) + "\n")
        }
        for (index, column) in columns.enumerated() {
            output.write(Cell.padRight(Cell.clean(column.name, limit: nil), nameWidth) + " | " + (cells[index] == nil ? nulls.shown(values[index]) : values[index]) + "\n")
        }
        output.flushIfNeeded()
    }

    func finish(rowCount: Int) {
        if rowCount == 0 { output.write("(0 rows)\n") }
    }
}
