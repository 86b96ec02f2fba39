import CBQCore
import CBQRuntime

extension Session {
    /// Runs every statement of each source in order (`-c`, script files, standard input, `\i`,
    /// a typed statement): compile, fetch, render, report. Returns the first failure's status,
    /// or 0; stops there unless ``continueOnError``.
    public func run(_ sources: [SourceText]) async -> Int32 {
        var status: Int32 = 0
        for (position, source) in sources.enumerated() {
            guard await runStatements(of: source, status: &status, sourcesAfter: sources.count - position - 1) else { break }
        }
        output.flush()
        return status
    }

    public func run(_ source: SourceText) async -> Int32 { await run([source]) }

    /// Runs `source`'s statements, keeping the first failure in `status`; false to stop there.
    private func runStatements(of source: SourceText, status: inout Int32, sourcesAfter: Int = 0) async -> Bool {
        let statements = Parser.parseScript(source)
        // Nothing but comments (or nothing): nothing to do, as psql has it for `-c ""` and such a file.
        if statements.isEmpty { return true }
        let compiler = self.compiler
        for (position, statement) in statements.enumerated() {
            var result = SysExit.dataError
            if let plan = compiler.compile(statement, in: source) { result = await execute(plan, source: source) }
            endPagedResult()
            guard record(result, in: &status) else { return false }
            if output.isClosed {
                // A reader that went away (`| head`) ends the output quietly, but the statements
                // after (writes among them) are not run: that is said, and not a success.
                let left = statements.count - position - 1
                if left + sourcesAfter > 0 && output.writeError == nil {
                    let what = left == 0 ? "what came after it was" : left == 1 ? "the statement after this one was" : "the \(left) statements after this one were"
                    console.note("note: the output was closed (its reader ended); \(what) not run")
                    _ = record(SysExit.brokenPipe, in: &status)
                }
                return false
            }
        }
        return true
    }

    /// In the shell, ends a statement's paged result: its pager is waited for, and the next
    /// statement writes afresh (quitting one statement's pager does not silence the next).
    func endPagedResult() {
        guard let paged = currentPagedScreen else { return }
        output.flush()
        paged.finish(interrupted: false)
        output = OutputStream(paged)
    }

    /// Keeps the first failure; whether to go on after `result`.
    private func record(_ result: Int32, in status: inout Int32) -> Bool {
        guard result != 0 else { return true }
        if status == 0 { status = result }
        return continueOnError
    }

    /// The target's credentials, found once per target (a token file is read once, not per
    /// statement); a failure is not kept, so the shell asks again at the next statement.
    public func credentials() throws(ShellFailure) -> any CredentialsProvider {
        if let resolvedCredentials { return resolvedCredentials }
        let credentials = try TokenPolicy.credentials(for: target, environment: environment, transport: transport)
        resolvedCredentials = credentials
        return credentials
    }

    /// Meta-command output goes to the screen, even while results go to a file.
    func say(_ text: String) {
        output.flush()
        console.say(text)
    }

    private func execute(_ statementPlan: StatementPlan, source: SourceText) async -> Int32 {
        separateResults()
        return await dispatch(statementPlan, source: source)
    }

    /// - Parameter spent: what the statement's subqueries cost already, for its summary.
    private func dispatch(_ statementPlan: StatementPlan, source: SourceText, analyze: Bool = false,
                          spent: ExecutionSummary = ExecutionSummary()) async -> Int32 {
        switch statementPlan {
        case .explain(.join(let join)):
            return await explain(join, source: source)
        case .explain(let inner):
            output.write(inner.explanation() + "\n")
            output.flush()
            return 0
        case .analyze(let inner):
            return await dispatch(inner, source: source, analyze: true, spent: spent)
        case .select(let plan):
            return await read(plan, source: source, analyze: analyze, spent: spent)
        case .join(let join):
            return await read(join, source: source, analyze: analyze, spent: spent)
        case .write(let write):
            return await self.write(write, source: source)
        case .semiJoin(let semi):
            return await withExecutor { executor in
                do {
                    let resolved = try await QueryRunner(executor: executor, planner: self.compiler.planner).resolve(semi)
                    return await self.dispatch(resolved.plan, source: source, analyze: analyze, spent: spent.adding(resolved.summary))
                } catch let failure as QueryRunner.SubqueryFailure {
                    return self.report(failure.error, plan: Self.firstRequests(of: failure.subquery.plan), source: source, rowsShown: 0)
                } catch {
                    return self.report(error, plan: nil, source: source, rowsShown: 0)
                }
            }
        }
    }

    /// Runs `body` with an executor holding the target's credentials; without them, reports
    /// why and sends nothing.
    func withExecutor(_ body: (Executor) async -> Int32) async -> Int32 {
        var options = execution
        do {
            options.credentials = try credentials()
        } catch {
            console.error(error)
            return error.status
        }
        return await body(Executor(transport: transport, options: options))
    }

    /// The plan whose requests an error is most likely about: a subquery's first endpoint.
    private static func firstRequests(of plan: StatementPlan) -> RequestPlan? {
        switch plan {
        case .select(let read): return read
        case .join(let join): return join.sides[0].plan
        case .semiJoin(let semi): return semi.subqueries.first.flatMap { firstRequests(of: $0.plan) }
        case .write(let write): return write.read
        case .explain(let inner), .analyze(let inner): return firstRequests(of: inner)
        }
    }

    /// EXPLAIN of a join: one `page[size]=1` probe per side, for the totals that decide how
    /// each later side is fetched; nothing else is sent.
    private func explain(_ join: JoinPlan, source: SourceText) async -> Int32 {
        await withExecutor { executor in await self.explain(join, source: source, executor: executor) }
    }

    private func explain(_ join: JoinPlan, source: SourceText, executor: Executor) async -> Int32 {
        let options = executor.options
        let runner = JoinExecutor(executor: executor, planner: compiler.planner)
        var totals: [Int?] = []
        var summary = ExecutionSummary()
        do {
            for side in join.sides { totals.append(try await runner.probeTotal(side.plan, summary: &summary)) }
            output.write(join.explanation(estimates: JoinEstimates(totals: totals, concurrency: options.concurrency)) + "\n")
            output.flush()
            return 0
        } catch {
            return report(error, plan: join.sides[totals.count < join.sides.count ? totals.count : 0].plan, source: source, rowsShown: 0)
        }
    }

    /// Fetches a join's sides, joins them, and renders the result (or, with `analyze`, the
    /// plan with what happened).
    private func read(_ join: JoinPlan, source: SourceText, analyze: Bool, spent: ExecutionSummary) async -> Int32 {
        await withExecutor { executor in await self.read(join, source: source, analyze: analyze, spent: spent, executor: executor) }
    }

    private func read(_ join: JoinPlan, source: SourceText, analyze: Bool, spent: ExecutionSummary, executor: Executor) async -> Int32 {
        let options = executor.options
        let runner = JoinExecutor(executor: executor, planner: compiler.planner)
        let progress = ProgressLine(enabled: showsProgress, errors: console.errors)
        let started = ContinuousClock.now
        let outcome: JoinExecutor.Outcome
        do {
            outcome = try await runner.run(join, progress: { progress.update($0) })
        } catch let failure as JoinExecutor.SideFailure {
            progress.clear()
            return report(failure.error, plan: join.sides[failure.side].plan, source: source, rowsShown: 0)
        } catch {
            progress.clear()
            return report(error, plan: join.sides[0].plan, source: source, rowsShown: 0)
        }
        progress.clear()
        for (side, columns) in zip(join.sides, outcome.columns) where !columns.isEmpty {
            catalog.learn(endpoint: side.table.description, columns: columns)
        }
        var format = self.format
        if expanded == .on && format == .table { format = .vertical }
        let discard = OutputStream(MemorySink(keeping: false))
        let writer: ResultWriter
        do {
            writer = try ResultWriter(plan: outcome.query.plan, format: analyze ? .ndjson : format, output: analyze ? discard : output,
                                      terminalWidth: writesToScreen ? console.screenWidth() : nil,
                                      expandedAuto: expanded == .auto, bold: writesToScreen && console.screenColors, nulls: nullDisplay,
                                      maxLocalRows: options.maxLocalRows, unread: analyze)
            try writer.write(values: outcome.rows)
            try writer.finish(count: nil)
        } catch {
            output.flush()
            return report(error, plan: join.sides[0].plan, source: source, rowsShown: 0)
        }
        output.flush()
        let summary = spent.adding(outcome.summary)
        if analyze {
            let local = outcome.query.plan.localQuery?.operatorLines()
            var text = join.explanation(local: local) + "\n\n"
            text += "strategies:\n" + outcome.strategies.map { "  " + $0 }.joined(separator: "\n") + "\n\n"
            text += Self.analysis(summary, rows: writer.rowCount, operators: writer.operatorStats, elapsed: ContinuousClock.now - started)
            output.write(text + "\n")
            output.flush()
        }
        for notice in summary.notices { console.note("note: " + notice) }
        if !writer.unshownColumns.isEmpty {
            console.note("note: rows after the first had columns it did not, which are not shown: " + writer.unshownColumns.sorted().joined(separator: ", ")
                         + " (SELECT * takes its columns from the first row; name them, or use --format json)")
        }
        lastSummary = (writer.rowCount, summary)
        // With \timing on, its line says it all: one line per statement, as psql prints.
        if showsProgress && !timing { console.note(Self.summaryLine(writer.rowCount, summary, ContinuousClock.now - started)) }
        if let truncation = summary.truncation {
            console.error(Diagnostic(.semantic, "the result is incomplete: \(truncation)", at: firstToken(of: join.sides[0].plan, in: source),
                                     label: "while running this statement", hint: summary.truncationHint ?? "raise --max-pages, or narrow the query"), in: source)
            return SysExit.partial
        }
        return 0
    }

    /// Fetches and renders a SELECT's rows; with `analyze`, renders nothing and prints the
    /// plan with what happened (EXPLAIN ANALYZE).
    private func read(_ plan: RequestPlan, source: SourceText, analyze: Bool, spent: ExecutionSummary) async -> Int32 {
        await withExecutor { executor in await self.read(plan, source: source, analyze: analyze, spent: spent, executor: executor) }
    }

    private func read(_ plan: RequestPlan, source: SourceText, analyze: Bool, spent: ExecutionSummary, executor: Executor) async -> Int32 {
        let options = executor.options
        if let warning = plan.warning, showsProgress { console.note("note: " + warning) }
        // A condition cbq evaluates because the server refused its filter before: said every
        // time, as it costs every page of the endpoint.
        for predicate in plan.local where predicate.refusedParameter != nil {
            console.note("note: cbq evaluates \(predicate.text) itself: \(predicate.reason)")
        }
        var format = self.format
        if expanded == .on && format == .table { format = .vertical }
        let toScreen = writesToScreen
        let writer: ResultWriter
        let discard = OutputStream(MemorySink(keeping: false))
        do {
            writer = try ResultWriter(plan: plan, format: analyze ? .ndjson : format, output: analyze ? discard : output,
                                      terminalWidth: toScreen ? console.screenWidth() : nil, expandedAuto: expanded == .auto,
                                      bold: toScreen && console.screenColors, nulls: nullDisplay, maxLocalRows: options.maxLocalRows, unread: analyze)
        } catch {
            console.error(error, in: source)
            return SysExit.dataError
        }
        let paged = currentPagedScreen
        let progress = ProgressLine(enabled: showsProgress, errors: console.errors, quiet: { paged?.isPaging ?? false })
        let started = ContinuousClock.now
        var summary: ExecutionSummary?
        var failure: (any Error)?
        var learned = false
        let output = self.output
        // On the screen (or in the pager) each page shows as it comes, not each 64 KiB.
        let flushesEachPage = writesToScreen
        let learnedAt = catalogTime
        do {
            let catalog = self.catalog
            let endpoint = "\(plan.service).\(plan.endpoint)"
            summary = try await executor.run(plan, progress: { progress.update($0) }, satisfied: { writer.isSatisfied }) { rows in
                if !learned, !rows.isEmpty {
                    learned = true
                    // `\d`, completion and writes learn the columns, kinds and type from the first rows.
                    catalog.learn(endpoint: endpoint, rows: rows.prefix(100), whole: plan.fields == nil, from: "a query", at: learnedAt)
                }
                try writer.write(rows)
                if flushesEachPage { output.flush() }
                if output.isClosed { throw OutputClosed() }
            }
            try writer.finish(count: summary?.count)
        } catch is OutputClosed {
            progress.clear()
            if let reason = output.writeError {
                console.error("cannot write the results: \(reason)")
                return SysExit.ioError
            }
            return 0
        } catch {
            failure = error
        }
        progress.clear()
        // A failed query with rows shows them (closed properly: valid JSON, a footer); one that
        // failed before any row shows only its error.
        if failure != nil, writer.rowCount > 0 { writer.close() }
        output.flush()

        guard var summary, failure == nil else { return report(failure!, plan: plan, source: source, rowsShown: writer.rowCount) }
        // A total with no filter sent is the endpoint's: `\d` lists it.
        if let total = summary.total, plan.pushed.isEmpty, plan.target == .collection {
            catalog.learn(endpoint: "\(plan.service).\(plan.endpoint)", total: total, at: learnedAt)
        }
        summary = spent.adding(summary)
        if analyze {
            output.write(plan.explanation() + "\n\n" + Self.analysis(summary, rows: writer.rowCount, operators: writer.operatorStats,
                                                                       elapsed: ContinuousClock.now - started) + "\n")
            output.flush()
        }
        for notice in summary.notices { console.note("note: " + notice) }
        if !writer.unshownColumns.isEmpty {
            console.note("note: rows after the first had columns it did not, which are not shown: " + writer.unshownColumns.sorted().joined(separator: ", ")
                         + " (SELECT * takes its columns from the first row; name them, or use --format json)")
        }
        lastSummary = (writer.rowCount, summary)
        // With \timing on, its line says it all: one line per statement, as psql prints.
        if showsProgress && !timing { console.note(Self.summaryLine(writer.rowCount, summary, ContinuousClock.now - started)) }
        if let truncation = summary.truncation {
            console.error(Diagnostic(.semantic, "the result is incomplete: \(truncation)", at: firstToken(of: plan, in: source),
                                     label: "while running this statement", hint: summary.truncationHint ?? "raise --max-pages, or narrow the query"), in: source)
            return SysExit.partial
        }
        return 0
    }

    /// Maps a failure to a message, a caret where the API blamed part of the query, and a status.
    func report(_ error: any Error, plan: RequestPlan?, source: SourceText, rowsShown: Int) -> Int32 {
        let partial = rowsShown > 0 ? " (the \(counted(rowsShown, "row")) above are a partial result)" : ""
        if let diagnostic = error as? Diagnostic {
            if rowsShown > 0 { console.error("the query stopped" + partial) }
            console.error(diagnostic, in: source)
            return SysExit.dataError
        }
        guard let error = error as? ExecutionError, let plan else {
            if error is CancellationError {
                console.error("cancelled" + partial)
                return SysExit.interrupted
            }
            if let error = error as? CredentialsError {
                console.error("no access token: \(error)" + partial, hint: "check --token-command, or --token-url, --client-id and the client secret")
                return SysExit.noPermission
            }
            console.error("\(error)" + partial)
            return SysExit.software
        }
        // The error, at the part of the statement it concerns, then the API's own details.
        let lines = "\(error)".split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var diagnostic = Diagnostic(.semantic, lines[0] + partial, at: firstToken(of: plan, in: source), label: "while running this statement")
        let blamed = error.blamedParameters.map { PercentEncoding.decode($0) ?? $0 }
        if let predicate = plan.pushed.first(where: { $0.parameters.contains { blamed.contains($0.formattedName()) } }) {
            diagnostic.range = predicate.range
            diagnostic.label = "sent as " + predicate.parameters.map { $0.formatted() }.joined(separator: "&")
            diagnostic.hint = Diagnostic.rejectedParameter("", sentAs: "", at: predicate.range).hint
            // A filter the server refuses is remembered: later plans evaluate it locally.
            if error.status == 400 {
                let endpoint = "\(plan.service).\(plan.endpoint)"
                let refused = predicate.parameters.map { $0.formattedName() }.filter { blamed.contains($0) }
                for name in refused { catalog.reject(endpoint: endpoint, parameter: name, at: catalogTime) }
                diagnostic.hint = (diagnostic.hint ?? "") + "; until \\refresh \(endpoint), cbq evaluates this condition itself"
            }
        } else if blamed.contains("sort"), let range = plan.orderRange {
            diagnostic.range = range
            diagnostic.label = "sent as " + (plan.sortParameter?.formatted() ?? "sort")
            diagnostic.hint = Diagnostic.rejectedSort(sentAs: "", at: range).hint
        } else if error.status == 401 {
            diagnostic.hint = target.hasOwnCredentials || !(environment("CASEBOOK_TOKEN") ?? "").isEmpty
                ? "the API refused the token: it may have expired or be for another tenant; renew it (--token-command and OAuth renew themselves)"
                : "the API wants a token: export CASEBOOK_TOKEN=… or pass --token-file PATH (a `cbq sandbox` takes any token)"
        } else if error.status == 404, plan.target == .collection, let range = plan.endpointRange {
            let endpoint = "\(plan.service).\(plan.endpoint)"
            let known = Diagnostic.endpointNotFound(endpoint, among: KnownEndpoint.all.map(\.qualifiedName), at: range)
            diagnostic.range = range
            diagnostic.label = known.label
            diagnostic.hint = known.hint
        }
        console.error(diagnostic, in: source)
        for line in lines.dropFirst() where !line.isEmpty { console.note(line) }
        return SysExit.status(for: error)
    }

    /// The statement's first word, where an error about the whole statement points.
    func firstToken(of plan: RequestPlan, in source: SourceText) -> SourceRange { firstToken(of: plan.statementRange, in: source) }

    func firstToken(of statement: SourceRange, in source: SourceText) -> SourceRange {
        let start = statement.start
        var end = start
        let bytes = source.utf8
        while end < min(bytes.count, statement.end), bytes[end] != 0x20, bytes[end] != 0x0A, bytes[end] != 0x09 { end += 1 }
        return SourceRange(start, max(end, start + 1))
    }

    /// A blank line between consecutive tables, as psql leaves.
    private func separateResults() {
        if resultsWritten > 0, format == .table || format == .vertical || format == .markdown { output.write("\n") }
        resultsWritten += 1
    }

    /// What EXPLAIN ANALYZE adds to the plan: the requests as they went, then each local
    /// operator's rows in and out and its time.
    static func analysis(_ summary: ExecutionSummary, rows: Int, operators: [OperatorStats], elapsed: Duration) -> String {
        var lines = ["actual (\(fixed(elapsed.inSeconds, 3)) s in all):"]
        var requests = "  requests    \(counted(summary.requests, "request")), \(counted(summary.pages, "page")), \(Self.bytes(summary.bytes))"
        requests += ", \(counted(summary.retries, "retry", plural: "retries")), \(fixed(summary.waited.inSeconds, 3)) s waiting to retry"
        lines.append(requests)
        requests = "  fetching    \(fixed(summary.requestTime.inSeconds, 3)) s of requests (summed; pages fetched at once overlap)"
        if summary.duplicates > 0 { requests += ", \(counted(summary.duplicates, "duplicate")) dropped" }
        lines.append(requests)
        lines.append("  received    \(counted(summary.rowsReceived, "row")) from the API; \(counted(summary.rowsEmitted, "row")) passed the local WHERE")
        if let source = summary.pageCountSource { lines.append("  paging      the page count from \(source)") }
        if summary.throttled > 0 {
            lines.append("  throttled   \(summary.throttled) × 429/503; every request held \(fixed(summary.paused.inSeconds, 3)) s as the server asked")
        }
        for stats in operators {
            let name = stats.name + String(repeating: " ", count: max(0, 10 - stats.name.count))
            lines.append("  \(name)  \(stats.rowsIn) in, \(stats.rowsOut) out, \(fixed(stats.time.inSeconds * 1000, 1)) ms")
        }
        lines.append("  result      \(counted(rows, "row"))")
        for notice in summary.notices { lines.append("  note: " + notice) }
        if let truncation = summary.truncation { lines.append("  incomplete: " + truncation) }
        return lines.joined(separator: "\n")
    }

    private static func bytes(_ count: Int) -> String {
        count < 10_240 ? "\(count) bytes" : count < 10_485_760 ? "\(count / 1024) KiB" : "\(fixed(Double(count) / 1_048_576, 1)) MiB"
    }

    /// What `\timing` adds to a read's time: its rows and requests, where the page count came
    /// from, and the waits a server asked for (`200 rows, 3 requests; page count from
    /// meta.pagination.count; 3 × 429/503, waited 4.0 s`).
    static func timingNotes(_ rows: Int, _ summary: ExecutionSummary) -> String {
        var notes = [counted(rows, "row") + ", " + counted(summary.requests, "request")]
        if let source = summary.pageCountSource { notes.append("page count from \(source)") }
        if summary.throttled > 0 {
            notes.append("\(summary.throttled) × 429/503, waited \(fixed(summary.paused.inSeconds, 1)) s")
        }
        return " (" + notes.joined(separator: "; ") + ")"
    }

    /// `50 rows, 1 request, 0.12 s`.
    public static func summaryLine(_ rows: Int, _ summary: ExecutionSummary, _ elapsed: Duration) -> String {
        var parts = [counted(rows, "row"), counted(summary.requests, "request")]
        if summary.retries > 0 { parts.append(counted(summary.retries, "retry", plural: "retries")) }
        if summary.duplicates > 0 { parts.append(counted(summary.duplicates, "duplicate") + " dropped") }
        if summary.throttled > 0 { parts.append("\(summary.throttled) × 429/503, waited \(fixed(summary.paused.inSeconds, 1)) s") }
        parts.append(fixed(elapsed.inSeconds, 2) + " s")
        return parts.joined(separator: ", ")
    }
}

struct OutputClosed: Error {}
