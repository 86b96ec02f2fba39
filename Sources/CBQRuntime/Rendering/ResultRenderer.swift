import CBQCore

/// Output formats, as `--format` and `\format` name them.
public enum OutputFormat: String, CaseIterable, Sendable {
    case table, vertical, json, ndjson, csv, markdown

    /// Formats that write each row as it arrives, keeping memory flat.
    public var streams: Bool { self != .table && self != .vertical }
}

/// The result's columns: the name shown, and the field read from a row (`id` is the resource id).
public struct ResultColumn: Sendable, Hashable {
    public var name: String
    public var field: String

    public init(name: String, field: String) {
        self.name = name
        self.field = field
    }
}

/// A row of output: raw rows from pages, or computed values (COUNT(*)).
public enum ResultRow {
    case raw(RawRow)
    case values([JSONValue])

    /// The value of column `index` (`column` names the field for raw rows).
    func value(_ column: ResultColumn, at index: Int) -> JSONValue {
        switch self {
        case .raw(let row): return row.value(column.field)
        case .values(let values): return index < values.count ? values[index] : .null
        }
    }

    /// Text for a cell: strings as they are, numbers as the server wrote them, nested values as
    /// JSON; nil for NULL.
    func text(_ column: ResultColumn, at index: Int) -> String? {
        if case .raw(let row) = self, let range = row.raw(column.field) {
            let first = row.page.bytes[range.lowerBound]
            if first == UInt8(ascii: "-") || (first >= 0x30 && first <= 0x39) {
                return String(decoding: row.page.bytes[range], as: UTF8.self)  // the number as written
            }
        }
        switch value(column, at: index) {
        case .null: return nil
        case .string(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number): return JSONValue.format(number)
        case let nested: return JSONWriter.serialize(nested)
        }
    }

    /// Whether the cell holds a number (tables right-align them).
    func isNumber(_ column: ResultColumn, at index: Int) -> Bool {
        switch self {
        case .raw(let row):
            guard let range = row.raw(column.field) else { return false }
            let first = row.page.bytes[range.lowerBound]
            return first == UInt8(ascii: "-") || (first >= 0x30 && first <= 0x39)
        case .values(let values):
            if index < values.count, case .number = values[index] { return true }
            return false
        }
    }
}

/// Writes rows in one format. `begin` comes once, before the first row (for `SELECT *`, the
/// columns are those of the first row); `finish` once at the end.
public protocol ResultRenderer: AnyObject {
    func begin(_ columns: [ResultColumn])
    func write(_ row: ResultRow)
    func finish(rowCount: Int)
}

/// Makes the renderer for a format.
public enum Renderers {
    public static func make(_ format: OutputFormat, output: OutputStream, terminalWidth: Int?, allColumns: Bool,
                            expandedAuto: Bool = false) -> any ResultRenderer {
        switch format {
        case .ndjson: return JSONRenderer(output: output, lines: true, allColumns: allColumns)
        case .json: return JSONRenderer(output: output, lines: false, allColumns: allColumns)
        case .csv: return CSVRenderer(output: output)
        case .markdown: return MarkdownRenderer(output: output)
        case .table: return TableRenderer(output: output, terminalWidth: terminalWidth, verticalWhenTooWide: expandedAuto)
        case .vertical: return VerticalRenderer(output: output, maxValueWidth: terminalWidth.map { max(20, $0 - 24) })
        }
    }
}
