import CBQCore

/// RFC 4180: a header, CRLF line ends, fields quoted when they hold a comma, a quote, CR or LF
/// (quotes doubled). NULL is an empty field; nested values are JSON text.
final class CSVRenderer: ResultRenderer {
    private let output: OutputStream
    private var columns: [ResultColumn] = []

    init(output: OutputStream) { self.output = output }

    func begin(_ columns: [ResultColumn]) {
        self.columns = columns
        writeLine(columns.map(\.name))
    }

    func write(_ row: ResultRow) {
        writeLine(columns.enumerated().map { row.text($0.element, at: $0.offset) ?? "" })
        output.flushIfNeeded()
    }

    func finish(rowCount: Int) {}

    private func writeLine(_ fields: [String]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { output.write(byte: UInt8(ascii: ",")) }
            if field.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) {
                output.write("\"" + field.replacing("\"", with: "\"\"") + "\"")
            } else {
                output.write(field)
            }
        }
        output.write("\r\n")
    }
}
