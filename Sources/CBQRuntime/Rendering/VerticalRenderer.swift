import CBQCore

/// psql's expanded display (`\x`): one block per row, a line per column.
final class VerticalRenderer: ResultRenderer {
    private let output: OutputStream
    private let maxValueWidth: Int?
    private var columns: [ResultColumn] = []
    private var nameWidth = 0
    private var count = 0

    init(output: OutputStream, maxValueWidth: Int?) {
        self.output = output
        self.maxValueWidth = maxValueWidth
    }

    func begin(_ columns: [ResultColumn]) {
        self.columns = columns
        nameWidth = columns.map { DisplayWidth.of($0.name) }.max() ?? 0
    }

    func write(_ row: ResultRow) {
        count += 1
        let values = columns.enumerated().map { Cell.clean(row.text($0.element, at: $0.offset) ?? "", limit: maxValueWidth) }
        let valueWidth = values.map { DisplayWidth.of($0) }.max() ?? 0
        // psql marks where the name column ends: -[ RECORD 1 ]-+-------
        let title = "-[ RECORD \(count) ]"
        if title.count < nameWidth + 1 {
            output.write(title + String(repeating: "-", count: nameWidth + 1 - title.count) + "+" + String(repeating: "-", count: valueWidth + 1) + "\n")
        } else {
            output.write(title + String(repeating: "-", count: max(1, nameWidth + valueWidth + 3 - title.count)) + "\n")
        }
        for (index, column) in columns.enumerated() {
            output.write(Cell.padRight(column.name, nameWidth) + " | " + values[index] + "\n")
        }
        output.flushIfNeeded()
    }

    func finish(rowCount: Int) {
        if rowCount == 0 { output.write("(0 rows)\n") }
    }
}
