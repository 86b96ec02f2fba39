import CBQCore

/// Renders the rows of one plan: picks the columns (the projection's, or for `SELECT *` the id
/// and attributes of the first row), runs the local plan if there is one (``LocalPipeline``),
/// feeds the renderer, and writes COUNT(*)'s single row.
public final class ResultWriter {
    private let plan: RequestPlan
    private let renderer: any ResultRenderer
    private let pipeline: LocalPipeline?
    /// The columns once known; the renderer starts at the first row or at the end, so a query
    /// that fails before any row prints nothing but its error.
    private var columns: [ResultColumn]?
    private var started = false
    public private(set) var rowCount = 0
    /// `SELECT *` in a format whose columns are fixed at the first row (all but JSON and
    /// NDJSON, which write each row's own): the names of attributes later rows had and the
    /// first did not, which were left out. A server may leave out nulls, so a column can be
    /// missing from the first row alone.
    public private(set) var unshownColumns: Set<String> = []
    private let checksColumns: Bool
    /// For the page last checked: which of its names are columns, by name number.
    private var checkedPage: PageBuffer?
    private var shownNames: [Bool] = []

    /// - Parameter expandedAuto: for `table`, print rows vertically when the table is wider than
    ///   the terminal (psql's `\x auto`).
    /// - Parameter maxLocalRows: how many groups or rows a blocking local operator may hold.
    /// - Parameter bold: the table's header in bold (a terminal that takes colour).
    /// - Parameter nulls: how a table or records show NULL.
    /// - Parameter unread: the output goes nowhere (EXPLAIN ANALYZE renders to measure): two
    ///   columns of one name are then no error, as no JSON object is read.
    public convenience init(plan: RequestPlan, format: OutputFormat, output: OutputStream, terminalWidth: Int?, expandedAuto: Bool = false,
                bold: Bool = false, nulls: NullDisplay = NullDisplay(), maxLocalRows: Int = 1_000_000, unread: Bool = false) throws(Diagnostic) {
        let columns = Self.columns(of: plan)
        if format == .json || format == .ndjson, !unread, let columns {
            var seen: Set<String> = []
            if let twice = columns.first(where: { !seen.insert($0.name).inserted }) {
                throw Diagnostic.duplicateJSONKey(twice.name, at: SourceRange(plan.statementRange.start, plan.statementRange.start + 6))
            }
        }
        let renderer = Renderers.make(format, output: output, terminalWidth: terminalWidth, allColumns: columns == nil, expandedAuto: expandedAuto,
                                      bold: bold, nulls: nulls)
        try self.init(plan: plan, renderer: renderer, columns: columns, maxLocalRows: maxLocalRows,
                      checksColumns: columns == nil && format != .json && format != .ndjson)
    }

    /// Writes to `renderer` (a subquery's values are collected, not printed).
    public convenience init(plan: RequestPlan, renderer: any ResultRenderer, maxLocalRows: Int = 1_000_000) throws(Diagnostic) {
        try self.init(plan: plan, renderer: renderer, columns: Self.columns(of: plan), maxLocalRows: maxLocalRows)
    }

    /// The projection's columns; nil for `SELECT *`, whose columns are the first row's.
    private static func columns(of plan: RequestPlan) -> [ResultColumn]? {
        switch plan.projection {
        case .all: return nil
        case .columns(let list): return list.map { ResultColumn(name: $0.name, field: $0.field) }
        case .count(let name): return [ResultColumn(name: name, field: name)]
        case .computed(let query): return query.outputs.map { $0.map { ResultColumn(name: $0.name, field: $0.name) } }
        }
    }

    private init(plan: RequestPlan, renderer: any ResultRenderer, columns: [ResultColumn]?, maxLocalRows: Int,
                 checksColumns: Bool = false) throws(Diagnostic) {
        self.plan = plan
        self.columns = columns
        self.checksColumns = checksColumns
        self.renderer = renderer
        if case .computed(let query) = plan.projection {
            pipeline = try LocalPipeline(query, now: Instant(seconds: 0), maxRows: maxLocalRows, encoder: renderer.rowEncoder)
        } else {
            pipeline = nil
        }
    }

    /// Whether the local LIMIT is met, so no more pages are needed.
    public var isSatisfied: Bool { pipeline?.isSatisfied ?? false }

    /// What each local operator did, in the plan's order (top first), for `EXPLAIN ANALYZE`.
    public var operatorStats: [OperatorStats] {
        guard let pipeline else { return [] }
        return ["limit", "sort", "distinct", "project", "having", "aggregate"].compactMap { pipeline.stats[$0] }
    }

    private func start() {
        guard !started else { return }
        started = true
        renderer.begin(columns ?? [])
    }

    public func write(_ rows: [RawRow]) throws {
        guard let first = rows.first else { return }
        // SELECT *: the columns are the first row's id and attributes.
        if columns == nil { columns = first.columnNames.map { ResultColumn(name: $0, field: $0) } }
        if checksColumns { noteUnshownColumns(rows) }
        if let pipeline {
            write(try pipeline.consume(rows))
            return
        }
        start()
        renderer.write(raw: rows)
        rowCount += rows.count
    }

    /// Records the names of `rows`' members that are not columns. Names are numbered per page,
    /// so each page's are looked up once and each member is one array read.
    private func noteUnshownColumns(_ rows: [RawRow]) {
        for row in rows {
            let page = row.page
            if page !== checkedPage {
                checkedPage = page
                shownNames = Array(repeating: false, count: page.names.names.count)
                for column in columns ?? [] {
                    if let number = page.names.numbers[column.field], Int(number) < shownNames.count { shownNames[Int(number)] = true }
                }
            }
            for member in page.members[row.memberRange] where Int(member.number) >= shownNames.count || !shownNames[Int(member.number)] {
                let name = page.name(member.number)
                if name != "id" { unshownColumns.insert(name) }
            }
        }
    }

    /// Rows given as the local query's input slots (a join's rows).
    public func write(values rows: [[SQLValue]]) throws {
        guard let pipeline else { preconditionFailure("rows as values need a local query") }
        write(try pipeline.consume(values: rows))
    }

    private func write(_ rows: [ResultRow]) {
        guard !rows.isEmpty else { return }
        start()
        for row in rows { renderer.write(row) }
        rowCount += rows.count
    }

    /// Writes what the local plan held back, COUNT(*)'s row (if any) and the renderer's ending.
    public func finish(count: Int?) throws {
        if let pipeline { try pipeline.finish { write($0) } }
        start()
        if case .count = plan.projection, let count {
            renderer.write(.values([.integer(count)]))
            rowCount = 1
        }
        renderer.finish(rowCount: rowCount)
    }

    /// Ends the output after a failure: valid JSON, a footer, nothing held back.
    public func close() {
        start()
        renderer.finish(rowCount: rowCount)
    }
}
