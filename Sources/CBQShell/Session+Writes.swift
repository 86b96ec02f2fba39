import CBQCore
import CBQRuntime

extension Session {
    /// Runs an INSERT, UPDATE or DELETE: refuses it when read-only; finds the rows (reads
    /// only); with a dry run prints the requests and stops; asks when asking is on; then writes
    /// row by row and prints psql's command tag (`UPDATE 3`) or RETURNING's rows.
    func write(_ plan: WritePlan, source: SourceText) async -> Int32 {
        if readOnly {
            console.error(Diagnostic(.semantic, "cannot \(plan.verb.rawValue): this session is read-only", at: firstToken(of: plan.statementRange, in: source),
                                     label: "a write", hint: "--read-only (or a profile's read_only = true) refuses every write before anything is sent"),
                          in: source)
            return SysExit.dataError
        }
        return await withExecutor { executor in await self.write(plan, source: source, executor: executor) }
    }

    private func write(_ plan: WritePlan, source: SourceText, executor: Executor) async -> Int32 {
        let runner = WriteExecutor(executor: executor)
        let progress = ProgressLine(enabled: showsProgress, errors: console.errors)
        let batch: WriteExecutor.Batch
        do {
            batch = try await runner.prepare(plan, progress: { progress.update($0) })
        } catch {
            progress.clear()
            return report(error, plan: plan.read, source: source, rowsShown: 0)
        }
        progress.clear()
        if !batch.columns.isEmpty { catalog.learn(endpoint: plan.table, columns: batch.columns) }
        let count = batch.requests.count
        if dryRun {
            for request in batch.requests { output.write(request.description + "\n") }
            output.write("would \(plan.verb.rawValue) \(counted(count, "row"))\n")
            output.flush()
            return 0
        }
        if count > 0, confirmsWrites, count > 1 || plan.verb == .delete {
            let question = "\(plan.verb.rawValue) \(counted(count, "row")) \(plan.verb.preposition) \(plan.table)? [y/N] "
            // Results paged so far are seen (the pager quit) and the notes held for it come
            // before the question, not after the answer.
            endPagedResult()
            console.showHeld()
            guard let confirm, await confirm(question) else {
                console.error("\(plan.verb.rawValue) cancelled: nothing was sent")
                return SysExit.interrupted
            }
        }
        let started = ContinuousClock.now
        let outcome: WriteExecutor.Outcome
        do {
            outcome = try await runner.send(batch, plan) { progress.written($0, of: count) }
        } catch {
            progress.clear()
            return reportWrite(error, plan: plan, total: count, source: source)
        }
        progress.clear()
        let summary = batch.summary.adding(outcome.summary)
        for notice in summary.notices { console.note("note: " + notice) }
        var status: Int32 = 0
        if let returning = plan.returning {
            status = renderReturned(outcome, returning: returning, source: source)
            if status != 0 { console.note("note: \(plan.verb.rawValue) \(outcome.written.count) was done all the same: only RETURNING failed") }
        } else if [.json, .ndjson, .csv].contains(format) {
            // A command tag in a stream of JSON or CSV would break its reader (`| jq`): it goes
            // where notes go.
            console.note("\(plan.verb.rawValue) \(outcome.written.count)")
        } else {
            output.write("\(plan.verb.rawValue) \(outcome.written.count)\n")
            output.flush()
        }
        if showsProgress {
            let done = plan.verb == .insert ? "inserted" : plan.verb == .update ? "updated" : "deleted"
            console.note("\(counted(outcome.written.count, "row")) \(done), \(counted(summary.requests, "request")), \(fixed((ContinuousClock.now - started).inSeconds, 2)) s")
        }
        return status
    }

    /// RETURNING's rows in the session's format; a misspelt RETURNING column, or an answer it
    /// could not read, is an error (the rows were written all the same: the caller says so).
    private func renderReturned(_ outcome: WriteExecutor.Outcome, returning: RequestPlan, source: SourceText) -> Int32 {
        var format = self.format
        if expanded == .on && format == .table { format = .vertical }
        do {
            try WriteExecutor.checkReturnedColumns(outcome.returned, of: returning)
            let writer = try ResultWriter(plan: returning, format: format, output: output,
                                          terminalWidth: writesToScreen ? console.screenWidth() : nil,
                                          expandedAuto: expanded == .auto, bold: writesToScreen && console.screenColors, nulls: nullDisplay,
                                          maxLocalRows: execution.maxLocalRows)
            try writer.write(outcome.returned)
            try writer.finish(count: nil)
            output.flush()
        } catch {
            output.flush()
            return report(error, plan: returning, source: source, rowsShown: 0)
        }
        guard outcome.returningProblems.isEmpty else {
            console.error("RETURNING is incomplete: the API's answer for " + outcome.returningProblems.joined(separator: "; "))
            return SysExit.dataError
        }
        return 0
    }

    /// A write that stopped part way: the error at the part of the statement it concerns, then
    /// exactly which rows were written, which failed, and which were not sent.
    private func reportWrite(_ error: any Error, plan: WritePlan, total: Int, source: SourceText) -> Int32 {
        guard let failure = error as? WriteFailure else {
            return report(error, plan: plan.read, source: source, rowsShown: 0)
        }
        let status: Int32
        var diagnostic = Diagnostic(.semantic, "", at: firstToken(of: plan.statementRange, in: source), label: "while running this statement")
        var details: [String] = []
        switch failure.error {
        case is CancellationError:
            diagnostic.message = "\(plan.verb.rawValue) cancelled"
            status = SysExit.interrupted
        case let error as ExecutionError:
            let lines = "\(error)".split(separator: "\n").map(String.init)
            diagnostic.message = lines.first ?? "\(error)"
            details = Array(lines.dropFirst())
            diagnostic.hint = Self.writeHint(error, plan: plan)
            if let range = Self.blamedRange(error, plan: plan) {
                diagnostic.range = range
                diagnostic.label = "the API rejected this value"
            }
            status = SysExit.status(for: error)
        case let error as Diagnostic:
            diagnostic = error
            status = SysExit.dataError
        case let error as CredentialsError:
            diagnostic.message = "no access token: \(error)"
            status = SysExit.noPermission
        default:
            diagnostic.message = "\(failure.error)"
            status = SysExit.software
        }
        console.error(diagnostic, in: source)
        for line in details { console.note(line) }
        for notice in failure.summary.notices { console.note("note: " + notice) }
        console.note("note: " + Self.progressReport(failure, total: total))
        return status
    }

    /// `UPDATE stopped after 2 of 5 rows: written PER-1, PER-2; PER-3 failed and was not written; not sent: PER-4, PER-5`.
    static func progressReport(_ failure: WriteFailure, total: Int) -> String {
        let verb = failure.verb.rawValue
        let position = failure.written.count
        func name(_ request: WriteRequest, _ index: Int) -> String { request.id ?? "row \(index + 1) of VALUES" }
        var parts = ["\(verb) stopped after \(position) of \(counted(total, "row"))"]
        parts.append(failure.written.isEmpty ? "nothing was written" : "written: " + failure.written.joined(separator: ", "))
        if let failed = failure.failed {
            let outcome = failure.failedMayHaveWritten
                ? "its outcome is unknown (it may have reached the API before its answer was lost or failed): check it before trying again"
                : "it was not written"
            parts.append("failed: \(name(failed, position)), \(outcome)")
        }
        let first = position + (failure.failed == nil ? 0 : 1)
        if !failure.notSent.isEmpty {
            parts.append("not sent: " + failure.notSent.enumerated().map { name($1, first + $0) }.joined(separator: ", "))
        }
        return parts.joined(separator: "; ")
    }

    /// A 422's `source.pointer` (`/data/attributes/first_name`) names a column: the SET
    /// assignment or INSERT column that set it.
    static func blamedRange(_ error: ExecutionError, plan: WritePlan) -> SourceRange? {
        guard case .api(_, _, _, let errors, _) = error else { return nil }
        for item in errors {
            guard let pointer = item.pointer else { continue }
            let parts = pointer.split(separator: "/").map(String.init)
            if parts.count >= 3, parts[0] == "data", parts[1] == "attributes" {
                let name = parts[2]
                if let assignment = plan.assignments.first(where: { $0.column.name == name }) { return assignment.column.range }
                for row in plan.inserts { if let attribute = row.attributes.first(where: { $0.name == name }) { return attribute.range } }
            }
            if parts == ["data", "type"] { return plan.endpointRange }
        }
        return nil
    }

    /// What to do about the statuses a write meets.
    static func writeHint(_ error: ExecutionError, plan: WritePlan) -> String? {
        switch error.status {
        case 403: return "the token may not \(plan.verb == .insert ? "create" : plan.verb == .update ? "change" : "delete") \(plan.table) resources"
            + (plan.inserts.contains { $0.id != nil } ? ", or the API assigns ids itself: leave id out of the INSERT" : "")
        case 404: return "no such resource: it may have been deleted meanwhile, or the id or endpoint is wrong"
        case 409: return "the API found a conflict: cbq sent type '\(plan.resourceType)'; if the API's type for \(plan.table) differs, "
            + "name it with --resource-type \(plan.table)=TYPE (an id that exists already conflicts too)"
        case 415: return "the API did not accept a body of type application/vnd.api+json"
        case 422: return "the API rejected a value: fix it and run the statement again (rows already written stay written)"
        default: return nil
        }
    }
}
