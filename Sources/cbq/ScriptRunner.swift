import CBQCore
import CBQRuntime
import Synchronization

/// Runs statements one after another, the same way for `-c`, script files, standard input and
/// the REPL: parse, plan, fetch, render, and report errors with their position.
final class ScriptRunner {
    let planner: Planner
    let executor: Executor
    let format: OutputFormat
    let output: OutputStream
    let continueOnError: Bool
    /// Progress and summaries go to a terminal only.
    var interactive = Terminal.isInteractive(.standardError)
    /// Told the columns of each endpoint that answered (the REPL's completion learns them).
    var learn: (String, [String]) -> Void = { _, _ in }
    /// Rendering choices the REPL can change: `\x auto` turns wide tables vertical.
    var expandedAuto = false
    private var resultsWritten = 0

    init(planner: Planner, executor: Executor, format: OutputFormat, output: OutputStream, continueOnError: Bool) {
        self.planner = planner
        self.executor = executor
        self.format = format
        self.output = output
        self.continueOnError = continueOnError
    }

    /// Runs every statement of `source`; returns the exit status (the first failure's, or 0).
    func run(_ source: SourceText) async -> Int32 {
        let statements = Parser.parseScript(source)
        if statements.isEmpty {
            ErrorReporter.report("no statement to run in \(source.name)", hint: "e.g. SELECT * FROM people.people LIMIT 10")
            return SysExit.dataError
        }
        var status: Int32 = 0
        for statement in statements {
            let result: Int32
            switch statement.result {
            case .failure(let diagnostic):
                ErrorReporter.report(diagnostic, in: source)
                result = SysExit.dataError
            case .success(let parsed):
                result = await execute(parsed, source: source)
            }
            if result != 0 {
                if status == 0 { status = result }
                if !continueOnError { break }
            }
            if output.isClosed { break }
        }
        output.flush()
        return status
    }

    private func execute(_ statement: Statement, source: SourceText) async -> Int32 {
        let statementPlan: StatementPlan
        do {
            statementPlan = try planner.plan(statement, source: source)
        } catch {
            ErrorReporter.report(error, in: source)
            return SysExit.dataError
        }
        separateResults()
        let plan: RequestPlan
        switch statementPlan {
        case .explain(let inner):
            output.write(inner.explanation() + "\n")
            output.flush()
            return 0
        case .select(let read):
            plan = read
        }
        if let warning = plan.warning, interactive { Terminal.writeError("note: " + warning) }

        let writer = ResultWriter(plan: plan, format: format, output: output,
                                  terminalWidth: output.descriptor == 1 ? Terminal.outputWidth : nil, expandedAuto: expandedAuto)
        let progress = ProgressLine(enabled: interactive)
        let started = ContinuousClock.now
        var summary: ExecutionSummary?
        var failure: (any Error)?
        do {
            summary = try await executor.run(plan, progress: { progress.update($0) }) { rows in
                writer.write(rows)
                if output.isClosed { throw OutputClosed() }
            }
        } catch is OutputClosed {
            progress.clear()
            return 0
        } catch {
            failure = error
        }
        progress.clear()
        if let names = writer.attributeNames { learn("\(plan.service).\(plan.endpoint)", names) }
        // A failed query with rows shows them (closed properly: valid JSON, a footer); one that
        // failed before any row shows only its error.
        if failure == nil || writer.rowCount > 0 { writer.finish(count: summary?.count) }
        output.flush()

        let elapsed = ContinuousClock.now - started
        if let summary {
            for notice in summary.notices { Terminal.writeError("note: " + notice) }
            if interactive { Terminal.writeError(Self.summaryLine(writer.rowCount, summary, elapsed)) }
            if let truncation = summary.truncation {
                ErrorReporter.report("the result is incomplete: \(truncation)", hint: "raise --max-pages, or narrow the query")
                return SysExit.partial
            }
            return 0
        }
        return report(failure!, plan: plan, source: source, rowsShown: writer.rowCount)
    }

    /// Maps a failure to a message, a caret where the API blamed part of the query, and a status.
    private func report(_ error: any Error, plan: RequestPlan, source: SourceText, rowsShown: Int) -> Int32 {
        let partial = rowsShown > 0 ? " (the \(counted(rowsShown, "row")) above are a partial result)" : ""
        guard let error = error as? ExecutionError else {
            if error is CancellationError {
                ErrorReporter.report("cancelled" + partial)
                return 130
            }
            ErrorReporter.report("\(error)" + partial)
            return SysExit.software
        }
        ErrorReporter.report("\(error)" + partial)
        for parameter in error.blamedParameters {
            let name = PercentEncoding.decode(parameter) ?? parameter
            if let predicate = plan.pushed.first(where: { $0.parameters.contains { $0.formattedName() == name } }) {
                ErrorReporter.report(Diagnostic(.semantic, "the API rejected \(name), sent for this condition", at: predicate.range,
                                                label: "sent as \(predicate.parameters.map { $0.formatted() }.joined(separator: "&"))",
                                                hint: "check the column name and operator; `cbq explain` shows every parameter"),
                                     in: source)
            }
        }
        switch error {
        case .api(let status, _, _, _, _):
            switch status {
            case 401, 403: return SysExit.noPermission
            case 400, 404, 405, 409, 415, 422: return SysExit.dataError
            default: return SysExit.unavailable
            }
        case .transport: return SysExit.unavailable
        case .malformed, .foreignLink: return SysExit.dataError
        }
    }

    /// A blank line between consecutive tables, as psql leaves.
    private func separateResults() {
        if resultsWritten > 0, format == .table || format == .vertical || format == .markdown { output.write("\n") }
        resultsWritten += 1
    }

    static func summaryLine(_ rows: Int, _ summary: ExecutionSummary, _ elapsed: Duration) -> String {
        var parts = [counted(rows, "row"), counted(summary.requests, "request")]
        if summary.retries > 0 { parts.append(counted(summary.retries, "retry", plural: "retries")) }
        if summary.duplicates > 0 { parts.append(counted(summary.duplicates, "duplicate") + " dropped") }
        parts.append(fixed(elapsed.inSeconds, 2) + " s")
        return parts.joined(separator: ", ")
    }

}

struct OutputClosed: Error {}

/// `… 12 pages, 1,200 rows, 1.3 s` on standard error, redrawn in place, once a fetch has taken
/// more than a second.
final class ProgressLine: Sendable {
    private let enabled: Bool
    private let started = ContinuousClock.now
    private let shown = Mutex(false)

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ summary: ExecutionSummary) {
        guard enabled else { return }
        let elapsed = ContinuousClock.now - started
        guard elapsed > .seconds(1) else { return }
        shown.withLock { $0 = true }
        let line = "… \(counted(summary.pages, "page")), \(summary.rowsEmitted) rows, \(fixed(elapsed.inSeconds, 1)) s"
        writeAll(2, Array(("\r\u{1B}[K" + line).utf8))
    }

    func clear() {
        if shown.withLock({ $0 }) { writeAll(2, Array("\r\u{1B}[K".utf8)) }
    }
}
