import CBQCore
import CBQRuntime

/// `\d`, `\d+`, `\refresh` and `cbq describe`: what the catalog knows, and learning it anew.
extension Session {
    /// `\d` lists the endpoints (with their totals when known); `\d svc.ep` shows its columns,
    /// their types and whether a null was seen, as psql's `\d` does. `verbose` (`\d+`) adds
    /// where each fact came from and when.
    func describe(_ argument: String, verbose: Bool = false) {
        guard !argument.isEmpty else {
            let rows = catalog.endpoints.map { endpoint -> [SQLValue] in
                let facts = catalog.facts(of: endpoint)
                var row: [SQLValue] = [.text(endpoint), facts?.type.map { .text($0) } ?? .null,
                                       facts.map { $0.columns.isEmpty ? .null : .integer($0.columns.count) } ?? .null,
                                       facts?.total.map { .integer($0) } ?? .null]
                if verbose { row.append(facts?.learnedAt.map { .text(Self.shortTime($0) + " (" + (facts?.learnedFrom ?? "") + ")") } ?? .null) }
                return row
            }
            say("Endpoints (the guide's, and those used):\n"
                + table(["Endpoint", "Type", "Columns", "Rows"] + (verbose ? ["Learned"] : []), rows))
            return
        }
        guard let facts = catalog.facts(of: argument), !facts.columns.isEmpty else {
            say("No columns seen for \(argument) yet: \\refresh \(argument) asks the API for one page of it.")
            return
        }
        // psql's \d: a table of the columns, their types and whether a null was seen, as far
        // as the rows seen tell, in the shell's own table format.
        let rows = facts.columns.map { column -> [SQLValue] in
            let kind = facts.kinds[column]
            let type = kind.map { $0.kind == .unknown ? "" : $0.kind.rawValue } ?? ""
            return [.text(column), .text(type), .text(kind?.nullSeen == true ? "null seen" : "")]
        }
        var about: [String] = []
        if let type = facts.type { about.append("type \(type)") }
        if let total = facts.total { about.append(counted(total, "row") + " in all") }
        if facts.rowsSeen > 0 { about.append("types from \(counted(facts.rowsSeen, "row")) seen") }
        var text = "Endpoint \(argument)" + (about.isEmpty ? "" : " (" + about.joined(separator: "; ") + ")") + "\n"
            + table(["Column", "Type", "Nulls"], rows)
        if verbose {
            var lines: [String] = []
            if let from = facts.learnedFrom, let at = facts.learnedAt {
                lines.append("Columns and types: from \(from), \(Self.shortTime(at))"
                             + (facts.complete ? "; every column (a misspelling of one is an error before sending)" : "; from partial rows"))
            } else {
                lines.append("Columns: named by statements only (no rows read yet)")
            }
            if let total = facts.total, let at = facts.totalAt { lines.append("Rows in all: \(total), from an unfiltered read, \(Self.shortTime(at))") }
            for (parameter, at) in facts.rejected.sorted(by: { $0.key < $1.key }) {
                lines.append("Filter \(parameter): answered 400, \(Self.shortTime(at)); evaluated locally since")
            }
            text += lines.joined(separator: "\n") + "\n"
        }
        say(text)
    }

    /// `2026-12-07 10:31:02Z`: a catalog fact's time, in UTC.
    static func shortTime(_ time: Instant) -> String { time.asTimestamp.text.replacing("T", with: " ") }

    /// A small table in the shell's table format, as wide as the screen allows.
    private func table(_ names: [String], _ rows: [[SQLValue]]) -> String {
        let sink = MemorySink()
        let table = OutputStream(sink)
        let renderer = Renderers.make(.table, output: table, terminalWidth: console.screenWidth(), allColumns: false,
                                      bold: console.screenColors)
        renderer.begin(names.map { ResultColumn(name: $0, field: $0) })
        for row in rows { renderer.write(.values(row)) }
        renderer.finish(rowCount: rows.count)
        table.flush()
        return sink.text
    }

    /// `\refresh [svc.ep]`: forgets what the catalog knows of the endpoint (or of every one it
    /// knows), then asks the API for one page of it to learn its columns, types and total
    /// anew; the only catalog command that sends a request. Returns the status.
    @discardableResult
    func refresh(_ argument: String) async -> Int32 {
        let endpoints = argument.isEmpty ? catalog.endpoints.filter { catalog.facts(of: $0) != nil } : [argument]
        guard !endpoints.isEmpty else {
            say("Nothing learned yet: \\refresh service.endpoint asks the API for one page of it.")
            return 0
        }
        return await withExecutor { executor in
            for endpoint in endpoints {
                let status = await learn(endpoint, from: "\\refresh", executor: executor)
                guard status == 0 else { return status }
                if !argument.isEmpty { describe(endpoint) }
            }
            if argument.isEmpty { say("Learned \(counted(endpoints.count, "endpoint")) anew.") }
            if let catalogPath { CatalogCache.save(catalog, to: catalogPath) }
            return 0
        }
    }

    /// Reads one page of an endpoint (up to 100 rows, no filter) and learns from it anew:
    /// columns, kinds, nulls, type and total. A failure leaves the catalog as it was; it is
    /// reported at the endpoint's name when `reporting`.
    private func learn(_ endpoint: String, from source: String, executor: Executor, reporting: Bool = true) async -> Int32 {
        let text = SourceText("SELECT * FROM \(endpoint) LIMIT 100", name: "\\refresh")
        let plan: RequestPlan
        do {
            plan = try planner.planSelect(text.text)
        } catch {
            if reporting { console.error(error, in: text) }
            return SysExit.dataError
        }
        var rows: [RawRow] = []
        do {
            let summary = try await executor.run(plan) { rows += $0 }
            catalog.forget(endpoint: endpoint)
            catalog.learn(endpoint: endpoint, rows: rows[...], whole: true, from: source, at: catalogTime)
            if let total = summary.total { catalog.learn(endpoint: endpoint, total: total, at: catalogTime) }
            if rows.isEmpty && reporting { say("\(endpoint) has no rows: nothing to learn its columns from.") }
            return 0
        } catch {
            return reporting ? report(error, plan: plan, source: text, rowsShown: 0) : SysExit.dataError
        }
    }

    /// Reads up to 100 rows of each endpoint to learn its columns and their kinds, showing
    /// nothing: for the built-in sandbox, whose schema is then known from the first prompt (and
    /// `\d` and completion work before any query). Failures are ignored: the catalog stays as it was.
    public func learnSchema(of endpoints: [String]) async {
        var options = execution
        guard let credentials = try? credentials() else { return }
        options.credentials = credentials
        let executor = Executor(transport: transport, options: options)
        // At once: a sandbox with latency (--sandbox-latency-ms) costs one round trip, not six.
        await withTaskGroup(of: Void.self) { group in
            for endpoint in endpoints {
                group.addTask { _ = await self.learn(endpoint, from: "the sandbox's schema", executor: executor, reporting: false) }
            }
        }
    }

    /// `cbq describe svc.ep …`: learns each endpoint anew (one request each), keeps it in the
    /// catalog cache, and prints its `\d`. Returns the status.
    public func describeFromCommandLine(_ endpoints: [String]) async -> Int32 {
        for endpoint in endpoints {
            let status = await refresh(endpoint)
            guard status == 0 else { return status }
        }
        return 0
    }
}
