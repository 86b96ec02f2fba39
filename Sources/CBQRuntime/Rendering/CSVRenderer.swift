import CBQCore

/// RFC 4180: a header, CRLF line ends, fields quoted when they hold a comma, a quote, CR or LF
/// (quotes doubled). NULL is an empty field and empty text a quoted one (`""`), as PostgreSQL's
/// and DuckDB's CSV tell them apart; nested values are JSON text.
final class CSVRenderer: ResultRenderer {
    private let output: OutputStream
    private var columns: [ResultColumn] = []

    init(output: OutputStream) { self.output = output }

    func begin(_ columns: [ResultColumn]) {
        self.columns = columns
        writeLine(columns.map(\.name))
    }

    func write(_ row: ResultRow) {
        for (index, column) in columns.enumerated() {
            if index > 0 { output.write(byte: UInt8(ascii: ",")) }
            switch row.text(column, at: index) {
            case nil: break
            case ""?: output.write("\"\"")
            case let field?: write(field)
            }
        }
        output.write("\r\n")
        output.flushIfNeeded()
    }

    func finish(rowCount: Int) {}

    private func writeLine(_ fields: [String]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { output.write(byte: UInt8(ascii: ",")) }
            write(field)
        }
        output.write("\r\n")
    }

    private func write(_ field: String) {
        if field.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) {
            output.write("\"" + field.replacing("\"", with: "\"\"") + "\"")
        } else {
            output.write(field)
        }
    }
}
