import CBQCore

/// Renders the rows of one plan: picks the columns (the projection's, or for `SELECT *` the id
/// and attributes of the first row), feeds the renderer, and writes COUNT(*)'s single row.
public final class ResultWriter {
    private let plan: RequestPlan
    private let renderer: any ResultRenderer
    /// The columns once known; the renderer starts at the first row or at the end, so a query
    /// that fails before any row prints nothing but its error.
    private var columns: [ResultColumn]?
    private var started = false
    public private(set) var rowCount = 0

    /// - Parameter expandedAuto: for `table`, print rows vertically when the table is wider than
    ///   the terminal (psql's `\x auto`).
    public init(plan: RequestPlan, format: OutputFormat, output: OutputStream, terminalWidth: Int?, expandedAuto: Bool = false) {
        self.plan = plan
        var allColumns = false
        switch plan.projection {
        case .all: allColumns = true
        case .columns(let list): columns = list.map { ResultColumn(name: $0.name, field: $0.field) }
        case .count(let name): columns = [ResultColumn(name: name, field: name)]
        }
        renderer = Renderers.make(format, output: output, terminalWidth: terminalWidth, allColumns: allColumns, expandedAuto: expandedAuto)
    }

    private func start() {
        guard !started else { return }
        started = true
        renderer.begin(columns ?? [])
    }

    public func write(_ rows: [RawRow]) {
        guard let first = rows.first else { return }
        // SELECT *: the columns are the first row's id and attributes.
        if columns == nil { columns = first.columnNames.map { ResultColumn(name: $0, field: $0) } }
        start()
        for row in rows { renderer.write(.raw(row)) }
        rowCount += rows.count
    }

    /// Writes COUNT(*)'s row (if any) and the renderer's ending.
    public func finish(count: Int?) {
        start()
        if case .count = plan.projection, let count {
            renderer.write(.values([.number(Double(count))]))
            rowCount = 1
        }
        renderer.finish(rowCount: rowCount)
    }
}
