import CBQCore

/// Output formats, as `--format` and `\format` name them.
public enum OutputFormat: String, CaseIterable, Sendable {
    case table, vertical, json, ndjson, csv, markdown
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

/// A row of output: raw rows from pages, or computed values (COUNT(*), expressions, groups).
public enum ResultRow {
    case raw(RawRow)
    case values([SQLValue])
    /// A row already written by the renderer's own ``ResultRenderer/rowEncoder`` (a sorted
    /// `SELECT *` row); only that renderer is given it.
    case encoded(ArraySlice<UInt8>)

    /// A cell as text (strings as they are, numbers as the server wrote them, nested values as
    /// JSON; nil for NULL) and whether it is a number (tables right-align those). The attribute
    /// is looked up once, and only non-numbers are decoded.
    func cell(_ column: ResultColumn, at index: Int) -> (text: String?, isNumber: Bool) {
        switch self {
        case .raw(let row):
            guard let range = row.raw(column.field) else { return (nil, false) }
            let first = row.page.bytes[range.lowerBound]
            if first == UInt8(ascii: "-") || (first >= 0x30 && first <= 0x39) {
                return (String(decoding: row.page.bytes[range], as: UTF8.self), true)
            }
            // Nested JSON as the server wrote it, compact: decoded, its numbers would be doubles.
            if JSONCompact.isNested(first) { return (JSONCompact.text(row.page.bytes[range]), false) }
            return (Self.text(row.decode(range)), false)
        case .values(let values):
            let value = index < values.count ? values[index] : .null
            return (value.text, value.isNumber)
        case .encoded:
            return (nil, false)  // never: only the renderer that encoded a row is given it
        }
    }

    func text(_ column: ResultColumn, at index: Int) -> String? { cell(column, at: index).text }

    private static func text(_ value: JSONValue) -> String? {
        switch value {
        case .null: return nil
        case .string(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number): return JSONValue.format(number)
        case .array, .object: return JSONWriter.serialize(value)
        }
    }
}

/// Writes rows in one format. `begin` comes once, before the first row (for `SELECT *`, the
/// columns are those of the first row); `finish` once at the end.
public protocol ResultRenderer: AnyObject {
    func begin(_ columns: [ResultColumn])
    func write(_ row: ResultRow)
    /// A page's raw rows, in order: one call a page where a renderer can do better than one a row.
    func write(raw rows: [RawRow])
    func finish(rowCount: Int)
    /// How this renderer writes a raw row ahead of time, if it can: a sort then holds the
    /// bytes instead of the row's page.
    var rowEncoder: (@Sendable (RawRow) -> [UInt8])? { get }
}

extension ResultRenderer {
    public var rowEncoder: (@Sendable (RawRow) -> [UInt8])? { nil }

    public func write(raw rows: [RawRow]) {
        for row in rows { write(.raw(row)) }
    }
}

/// How a table or records show NULL: psql's `\pset null` text, dim on a terminal that takes
/// colour (as DuckDB shows it). Other formats keep NULL as their own (empty, `null`).
public struct NullDisplay: Sendable, Equatable {
    public var text: String
    public var dim: Bool

    public init(text: String = "", dim: Bool = false) {
        self.text = text
        self.dim = dim
    }

    /// The text as written: dim when asked, the padding outside the codes.
    func shown(_ text: String) -> String { dim && !text.isEmpty ? "\u{1B}[2m" + text + "\u{1B}[0m" : text }
}

/// Makes the renderer for a format.
public enum Renderers {
    public static func make(_ format: OutputFormat, output: OutputStream, terminalWidth: Int?, allColumns: Bool,
                            expandedAuto: Bool = false, bold: Bool = false, nulls: NullDisplay = NullDisplay()) -> any ResultRenderer {
        switch format {
        case .ndjson: return JSONRenderer(output: output, lines: true, allColumns: allColumns)
        case .json: return JSONRenderer(output: output, lines: false, allColumns: allColumns)
        case .csv: return CSVRenderer(output: output)
        case .markdown: return MarkdownRenderer(output: output)
        case .table: return TableRenderer(output: output, terminalWidth: terminalWidth, verticalWhenTooWide: expandedAuto, boldHeader: bold, nulls: nulls)
        case .vertical: return VerticalRenderer(output: output, maxValueWidth: terminalWidth.map { max(20, $0 - 24) }, nulls: nulls)
        }
    }
}
