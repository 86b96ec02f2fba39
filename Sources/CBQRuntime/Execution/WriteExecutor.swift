import CBQCore

/// Runs an INSERT, UPDATE or DELETE in two steps, so a caller can stop between them (a dry
/// run, a confirmation):
///
///     let runner = WriteExecutor(executor: executor)
///     let batch = try await runner.prepare(plan)          // reads only: finds the rows
///     print(batch.requests.count)                         // "UPDATE 37 rows of people.people?"
///     let outcome = try await runner.send(batch, plan)    // one request per row, in order
///
/// Writes go one at a time, in the order the rows were read: a failure, or Ctrl-C, stops the
/// statement before the next request, and ``WriteFailure`` says which rows were written and
/// which were not. A POST is never repeated once it may have reached the server (the
/// ``RetryPolicy`` decides); PATCH and DELETE are repeatable.
public struct WriteExecutor: Sendable {
    public let executor: Executor

    public init(executor: Executor) {
        self.executor = executor
    }

    /// The requests of one statement, before any is sent.
    public struct Batch: Sendable {
        public var requests: [WriteRequest]
        /// DELETE … RETURNING: each row as read, for the result (the API answers 204).
        public var rowsRead: [RawRow] = []
        /// What the read cost.
        public var summary = ExecutionSummary()
        /// The columns the rows read had, for completion.
        public var columns: [String] = []
    }

    /// What the writes did.
    public struct Outcome: Sendable {
        /// The ids written, in order (for a POST, the id the server gave).
        public var written: [String] = []
        /// RETURNING's rows: the resources the API answered with (DELETE: as read before).
        public var returned: [RawRow] = []
        public var summary = ExecutionSummary()
    }

    /// Finds the rows to write and makes their requests, sending only reads: none for an
    /// INSERT or a write by id, the read path's requests otherwise.
    public func prepare(_ plan: WritePlan, progress: @escaping Executor.Progress = { _ in }) async throws -> Batch {
        if let requests = plan.plannedRequests { return Batch(requests: requests) }
        guard let read = plan.read else { return Batch(requests: []) }
        let evaluator = try AssignmentEvaluator(plan)
        // Every row is checked against every filter the API was asked to apply: a server that
        // ignored one would otherwise have the write touch rows its WHERE excludes.
        var checks: [(predicate: RequestPlan.PushedPredicate, filter: LocalFilter)] = []
        for predicate in read.pushed { if let expression = predicate.expression { checks.append((predicate, try LocalFilter(expression))) } }
        var batch = Batch(requests: [])
        var columns: Set<String> = ["id"]
        let keepRows = plan.verb == .delete && plan.returning != nil
        let limit = executor.options.maxLocalRows
        batch.summary = try await executor.run(read, progress: progress) { rows in
            for (predicate, filter) in checks where try filter.apply(rows).count != rows.count {
                let row = try rows.first { try filter.apply([$0]).isEmpty }
                throw Diagnostic.filterNotAppliedToWrite(plan.verb.rawValue, predicate.text, sentAs: predicate.parameters.map { $0.formatted() }.joined(separator: "&"),
                                                         id: row?.idText ?? "a row", at: predicate.range)
            }
            for row in rows {
                for member in row.attributes where columns.insert(member.key).inserted { batch.columns.append(member.key) }
                let values = try evaluator.values(row.slots(evaluator.columns))
                batch.requests.append(plan.request(id: row.idText, type: row.typeText, values: values))
                if keepRows { batch.rowsRead.append(row) }
            }
            // The rows to write are held until the last page is read: bounded, as a sort is.
            if batch.requests.count > limit { throw ExecutionError.localRowLimit(limit, operation: "\(plan.verb.rawValue) of \(plan.table)") }
        }
        // A write needs every matching row: a read a guard stopped, or one whose pages repeated
        // rows (a server that ignored the page number) or changed meanwhile, writes nothing.
        let verb = SourceRange(plan.statementRange.start, plan.statementRange.start + plan.verb.rawValue.utf8.count)
        var doubt = batch.summary.truncation
        if doubt == nil, batch.summary.duplicates > 0 {
            doubt = "the API returned \(batch.summary.duplicates) rows twice, on different pages (it may not honour the page parameter)"
        }
        if doubt == nil, let changed = batch.summary.notices.first(where: { $0.hasPrefix("the collection changed") }) { doubt = changed }
        if let doubt { throw Diagnostic.incompleteWriteRead(plan.verb.rawValue, doubt, at: verb) }
        // A SET column that no row read has, with a near name among those they have, is a
        // typo: the error comes before any write. (No near name: the server judges it, since
        // a server may leave null attributes out of what it sends.)
        if !batch.requests.isEmpty {
            for assignment in plan.assignments where !columns.contains(assignment.column.name) {
                if let near = Suggestion.closest(to: assignment.column.name, among: Array(columns)) {
                    throw Diagnostic.unknownWriteColumn(assignment.column, endpoint: plan.table, suggestion: near)
                }
            }
        }
        return batch
    }

    /// Sends the batch's requests one at a time; the first failure (or cancellation) stops it
    /// with a ``WriteFailure``. `written` is called after each success, for progress.
    public func send(_ batch: Batch, _ plan: WritePlan, written: @escaping @Sendable (Int) -> Void = { _ in }) async throws(WriteFailure) -> Outcome {
        let sender = executor.sender(for: plan.baseURL)
        var outcome = Outcome()
        for (index, request) in batch.requests.enumerated() {
            let rest = Array(batch.requests[(index + 1)...])
            do {
                try Task.checkCancellation()
            } catch {
                throw WriteFailure(verb: plan.verb, error: error, written: outcome.written, failed: nil, notSent: [request] + rest, summary: outcome.summary)
            }
            do {
                let (id, rows) = try await send(request, plan: plan, sender: sender, summary: &outcome.summary)
                outcome.written.append(id)
                if plan.returning != nil {
                    outcome.returned += plan.verb == .delete ? batch.rowsRead.filter { $0.idText == id } : rows
                }
                written(outcome.written.count)
            } catch {
                throw WriteFailure(verb: plan.verb, error: error, written: outcome.written, failed: request, notSent: rest, summary: outcome.summary)
            }
        }
        return outcome
    }

    /// One request; the id it wrote and, for RETURNING, the resource the API answered with
    /// (asked for with a GET when the answer is 204 No Content).
    private func send(_ request: WriteRequest, plan: WritePlan, sender: RequestSender, summary: inout ExecutionSummary) async throws -> (String, [RawRow]) {
        guard let url = RequestURL(request.url), let method = RequestMethod(rawValue: request.method) else {
            throw ExecutionError.malformed("not a valid request", url: request.url)
        }
        let started = ContinuousClock.now
        let response = try await sender.send(APIRequest(method, url, body: request.body))
        summary.requests += response.attempts
        summary.retries += response.attempts - 1
        summary.waited += response.waited
        summary.bytes += response.body.count
        summary.requestTime += ContinuousClock.now - started
        guard method != .delete else { return (request.id ?? "", []) }
        var rows: [RawRow] = []
        if !response.body.isEmpty {
            rows = try PageDecoder.decode(response.body, url: url).rows
        }
        let id = rows.first?.idText ?? request.id ?? ""
        if let row = rows.first, let body = request.body { summary.notices += Self.differences(sent: body, answered: row, id: id) }
        if rows.isEmpty, plan.returning != nil, !id.isEmpty, let location = RequestURL(plan.resourceURL(id: id)) {
            let fetched = try await sender.send(APIRequest(.get, location))
            summary.requests += fetched.attempts
            rows = try PageDecoder.decode(fetched.body, url: location).rows
        }
        return (id, rows)
    }

    /// RETURNING's columns against the resources the API answered with: one that none has is
    /// an error, never a silent column of NULLs (as for a read's first page).
    public static func checkReturnedColumns(_ rows: [RawRow], of returning: RequestPlan) throws {
        guard !rows.isEmpty else { return }
        try Pager.checkColumns(rows, of: returning)
    }

    /// Attributes the API answered with values other than those sent (a server that ignored
    /// or rewrote one), as notes: the write happened, but not as written.
    static func differences(sent body: [UInt8], answered row: RawRow, id: String) -> [String] {
        guard case .object(let attributes)? = (try? JSONParser.parse(body))?[path: ["data", "attributes"]] else { return [] }
        var notes: [String] = []
        for member in attributes {
            guard row.raw(member.key) != nil else { continue }
            let answered = row.value(member.key)
            if ValueSemantics.compare(member.value, answered) != 0 && !(member.value == .null && answered == .null) {
                notes.append("the API answered \(id) with \(member.key) = \(JSONWriter.serialize(answered)), not \(JSONWriter.serialize(member.value)) as sent")
            }
        }
        return notes
    }
}

/// A write statement that stopped part way: its error, and exactly which rows were written,
/// which one failed (its outcome unknown when the connection was lost after sending), and
/// which were never sent.
public struct WriteFailure: Error, Sendable {
    public var verb: WritePlan.Verb
    public var error: any Error
    public var written: [String]
    public var failed: WriteRequest?
    public var notSent: [WriteRequest]
    public var summary: ExecutionSummary

    /// Whether the failed request may have been acted on: the connection was lost or the
    /// answer did not come after it was sent, or it was cancelled in flight.
    public var failedMayHaveWritten: Bool {
        if error is CancellationError { return failed != nil }
        guard case .transport(let transport, _, _, _)? = error as? ExecutionError else { return false }
        return transport.kind != .connect
    }
}
