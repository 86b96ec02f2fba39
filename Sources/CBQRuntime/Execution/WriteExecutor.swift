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
        /// Rows written whose answer RETURNING could not read, with why.
        public var returningProblems: [String] = []
        public var summary = ExecutionSummary()
    }

    /// Finds the rows to write and makes their requests, sending only reads: none for an
    /// INSERT or a write by id, the read path's requests otherwise. The pager checks every row
    /// against every filter the API was asked to apply, strictly (a missing or null value fails,
    /// and text is judged as text), so a server that ignored one stops the write here instead of
    /// having it touch rows its WHERE excludes.
    public func prepare(_ plan: WritePlan, progress: @escaping Executor.Progress = { _ in }) async throws -> Batch {
        if let requests = plan.plannedRequests {
            var batch = Batch(requests: requests)
            // An UPDATE by id reads no row: one GET of its first checks SET's columns as a read
            // would (a misspelt one, a relationship), before any PATCH. A lenient server would
            // answer 200 to either and change nothing.
            if plan.verb == .update, let id = requests.first?.id, let url = RequestURL(plan.resourceURL(id: id)) {
                let response = try await executor.sender(for: plan.baseURL).send(APIRequest(.get, url), passing: [404])
                batch.summary.requests += response.attempts
                if response.status != 404, let row = try? PageIndexer.index(response.body).rows.first {
                    batch.columns = row.attributes.map(\.key)
                    try Self.checkAssignments(plan, columns: Set(["id"] + row.attributes.map(\.key)), relationships: Set(row.relationships.map(\.key)))
                }
            }
            return batch
        }
        guard let read = plan.read else { return Batch(requests: []) }
        let evaluator = try AssignmentEvaluator(plan)
        var batch = Batch(requests: [])
        var columns: Set<String> = ["id"]
        var relationships: Set<String> = []
        let keepRows = plan.verb == .delete && plan.returning != nil
        let limit = executor.options.maxLocalRows
        let askedIDs: Set<String>? = if case .resources(let ids) = read.target { Set(ids) } else { nil }
        let verb = SourceRange(plan.statementRange.start, plan.statementRange.start + plan.verb.rawValue.utf8.count)
        var strict = executor.options
        strict.strictFilterChecks = true
        batch.summary = try await Executor(transport: executor.transport, options: strict).run(read, progress: progress) { rows in
            for row in rows {
                let id = row.idText
                // A request by id answered with another resource, or an id no URL can carry.
                if let askedIDs, !askedIDs.contains(id) { throw Diagnostic.unexpectedIDInWriteRead(id, at: verb) }
                if !WritePlan.isUsableID(id) { throw Diagnostic.unusableID(id, at: verb) }
                for member in row.attributes where columns.insert(member.key).inserted { batch.columns.append(member.key) }
                for member in row.relationships { relationships.insert(member.key) }
                let values = try evaluator.values(row.slots(evaluator.columns))
                batch.requests.append(plan.request(id: id, type: row.typeText, values: values))
                if keepRows { batch.rowsRead.append(row) }
            }
            // The rows to write are held until the last page is read: bounded, as a sort is.
            if batch.requests.count > limit { throw ExecutionError.localRowLimit(limit, operation: "\(plan.verb.rawValue) of \(plan.table)") }
        }
        // A write needs every matching row: a read a guard stopped, or one whose pages repeated
        // rows (a server that ignored the page number) or changed meanwhile, writes nothing.
        var doubt = batch.summary.truncation
        if doubt == nil, batch.summary.duplicates > 0 {
            doubt = "the API returned \(batch.summary.duplicates) rows twice, on different pages (it may not honour the page parameter)"
        }
        if let doubt = doubt ?? batch.summary.collectionChange { throw Diagnostic.incompleteWriteRead(plan.verb.rawValue, doubt, at: verb) }
        // A SET column that no row read has, with a near name among those they have, is a
        // typo: the error comes before any write. (No near name: the server judges it, since
        // a server may leave null attributes out of what it sends.)
        if !batch.requests.isEmpty { try Self.checkAssignments(plan, columns: columns, relationships: relationships) }
        return batch
    }

    /// SET's columns against the rows read: a relationship is no attribute (sent as one, a
    /// server may drop it without a word), and a column no row has, with a near name among
    /// those they have, is a typo. (No near name: the server judges it, since a server may
    /// leave null attributes out of what it sends.)
    static func checkAssignments(_ plan: WritePlan, columns: Set<String>, relationships: Set<String>) throws(Diagnostic) {
        if let related = plan.assignments.first(where: { relationships.contains($0.column.name) }) {
            throw Diagnostic.relationshipIsNotSettable(related.column, endpoint: plan.table)
        }
        for assignment in plan.assignments where !columns.contains(assignment.column.name) {
            if let near = Suggestion.closest(to: assignment.column.name, among: Array(columns)) {
                throw Diagnostic.unknownWriteColumn(assignment.column, endpoint: plan.table, suggestion: near)
            }
        }
    }

    /// Sends the batch's requests one at a time; the first failure (or cancellation) stops it
    /// with a ``WriteFailure``. `written` is called after each success, for progress.
    ///
    /// A request in flight is finished even when the statement is cancelled meanwhile (Ctrl-C):
    /// its outcome is then known, and no other starts. Once the API has answered 2xx the row
    /// counts as written, whatever happens to its answer afterwards (RETURNING's problems are
    /// reported on their own).
    public func send(_ batch: Batch, _ plan: WritePlan, written: @escaping @Sendable (Int) -> Void = { _ in }) async throws(WriteFailure) -> Outcome {
        let sender = executor.sender(for: plan.baseURL)
        var outcome = Outcome()
        for (index, request) in batch.requests.enumerated() {
            let rest = Array(batch.requests[(index + 1)...])
            func failure(_ error: any Error, failed: WriteRequest?, notSent: [WriteRequest]) -> WriteFailure {
                WriteFailure(verb: plan.verb, error: error, written: outcome.written, failed: failed, notSent: notSent, summary: outcome.summary)
            }
            if Task.isCancelled { throw failure(CancellationError(), failed: nil, notSent: [request] + rest) }
            guard let url = RequestURL(request.url), let method = RequestMethod(rawValue: request.method) else {
                throw failure(ExecutionError.malformed("not a valid request", url: request.url), failed: request, notSent: rest)
            }
            let started = ContinuousClock.now
            // Not a child task: cancelling the statement does not cut this request off.
            let result = await Task { () async -> Result<APIResponse, any Error> in
                do {
                    return .success(try await sender.send(APIRequest(method, url, body: request.body), passing: method == .delete ? [404] : []))
                } catch {
                    return .failure(error)
                }
            }.value
            let response: APIResponse
            switch result {
            case .failure(let error): throw failure(error, failed: request, notSent: rest)
            case .success(let answer): response = answer
            }
            outcome.summary.requests += response.attempts
            outcome.summary.retries += response.attempts - 1
            outcome.summary.waited += response.waited
            outcome.summary.bytes += response.body.count
            outcome.summary.requestTime += ContinuousClock.now - started
            if method == .delete, response.status == 404 {
                // Gone: deleted by an earlier attempt whose answer was lost or failed, or never
                // there. A row the read found was there: it is gone now. A DELETE by id alone
                // (nothing read) cannot tell the two apart: its outcome is unknown, or, on the
                // first attempt, it is not found.
                guard response.earlierAttemptMayHaveActed, plan.plannedRequests == nil else {
                    let errors = APIErrorItem.all(in: (try? PageIndexer.index(response.body))?.errors)
                    throw failure(ExecutionError.api(status: 404, method: "DELETE", url: request.url, errors: errors, attempts: response.attempts),
                                  failed: request, notSent: rest)
                }
                outcome.summary.notices.append("\(request.id ?? ""): the first DELETE's answer was lost or failed and the retry found it gone: it was deleted")
            }
            let answered = await self.answered(response, to: request, method: method, url: url, plan: plan, sender: sender, summary: &outcome.summary)
            let name = answered.id ?? "row \(index + 1) of VALUES (the answer named no id)"
            outcome.written.append(name)
            // An attribute the rows read have, left out of the answer: written, but perhaps not
            // as the statement says, and the rest waits for a person. One no read has shown may
            // be write-only (a password), absent from every answer: a note.
            if let missing = answered.missing.first(where: { batch.columns.contains($0) }) {
                written(outcome.written.count)
                throw failure(Diagnostic.unansweredAttribute(missing, id: name, verb: plan.verb, at: Self.range(of: missing, in: plan, row: index)),
                              failed: nil, notSent: rest)
            }
            for missing in answered.missing {
                outcome.summary.notices.append("the API answered \(name) without \(missing), which was sent and no read has shown: it may be write-only, or not written")
            }
            if let problem = answered.problem {
                if plan.returning != nil { outcome.returningProblems.append("\(name): \(problem)") }
                else { outcome.summary.notices.append("the API's answer for \(name) could not be read (it was written): \(problem)") }
            }
            if plan.returning != nil {
                outcome.returned += plan.verb == .delete ? batch.rowsRead.filter { $0.idText == request.id } : answered.rows
            }
            written(outcome.written.count)
        }
        return outcome
    }

    /// What a 2xx answer says: the id written (for a POST, the one the server gave: in the
    /// body, else its `Location`) and, for RETURNING, the resource (asked for with a GET when
    /// the answer has none). Never throws: the write is done; a problem reading the answer is
    /// returned as text.
    private func answered(_ response: APIResponse, to request: WriteRequest, method: RequestMethod, url: RequestURL, plan: WritePlan,
                          sender: RequestSender, summary: inout ExecutionSummary) async -> (id: String?, rows: [RawRow], problem: String?, missing: [String]) {
        guard method != .delete else { return (request.id, [], nil, []) }
        var rows: [RawRow] = []
        var problem: String?
        if !response.body.isEmpty {
            do { rows = try PageIndexer.index(response.body).rows } catch { problem = "its answer is not a JSON:API document: \(error)" }
        }
        let locationID = response.header("Location").flatMap { $0.split(separator: "/").last }.flatMap { PercentEncoding.decode($0) }
        let id = rows.first?.idText ?? request.id ?? locationID
        var missing: [String] = []
        if let row = rows.first, let body = request.body {
            let differences = Self.differences(sent: body, answered: row, id: id ?? "")
            summary.notices += differences.notes
            missing = differences.missing
        }
        if rows.isEmpty, plan.returning != nil {
            guard let id, let resource = RequestURL(plan.resourceURL(id: id)) else { return (id, [], problem ?? "its answer named no resource to return", missing) }
            do {
                let fetched = try await sender.send(APIRequest(.get, resource))
                summary.requests += fetched.attempts
                rows = try PageDecoder.decode(fetched.body, url: resource).rows
                problem = nil
            } catch {
                problem = (problem.map { $0 + "; " } ?? "") + "reading it back failed: \(error)"
            }
        }
        return (id, rows, problem, missing)
    }

    /// Where the statement sets `attribute` (for the `row`-th request of an INSERT, that row's).
    static func range(of attribute: String, in plan: WritePlan, row: Int) -> SourceRange {
        if let assignment = plan.assignments.first(where: { $0.column.name == attribute }) { return assignment.column.range }
        if row < plan.inserts.count, let value = plan.inserts[row].attributes.first(where: { $0.name == attribute }) { return value.range }
        return plan.statementRange
    }

    /// RETURNING's columns against the resources the API answered with: one that none has is
    /// an error, never a silent column of NULLs (as for a read's first page).
    public static func checkReturnedColumns(_ rows: [RawRow], of returning: RequestPlan) throws {
        guard !rows.isEmpty else { return }
        try Pager.checkColumns(rows, of: returning)
    }

    /// Attributes the API answered with values other than those sent (a server that rewrote
    /// one: the write happened, but not as written), as notes; and those it answered without,
    /// which it may have ignored. An attribute sent as null may be left out of an answer, as
    /// null attributes may be of any resource.
    static func differences(sent body: [UInt8], answered row: RawRow, id: String) -> (notes: [String], missing: [String]) {
        guard case .object(let attributes)? = (try? JSONParser.parse(body))?[path: ["data", "attributes"]] else { return ([], []) }
        var notes: [String] = []
        var missing: [String] = []
        for member in attributes {
            guard row.raw(member.key) != nil else {
                if member.value != .null { missing.append(member.key) }
                continue
            }
            let answered = row.value(member.key)
            if ValueSemantics.compare(member.value, answered) != 0 && !(member.value == .null && answered == .null) {
                notes.append("the API answered \(id) with \(member.key) = \(JSONWriter.serialize(answered)), not \(JSONWriter.serialize(member.value)) as sent")
            }
        }
        return (notes, missing)
    }
}

/// A write statement that stopped part way: its error, and exactly which rows were written,
/// which one failed (its outcome unknown when the connection was lost after sending), and
/// which were never sent. Rows go in order and the first failure stops them, so the failed
/// request is the statement's request number `written.count`.
public struct WriteFailure: Error, Sendable {
    public var verb: WritePlan.Verb
    public var error: any Error
    public var written: [String]
    public var failed: WriteRequest?
    public var notSent: [WriteRequest]
    public var summary: ExecutionSummary

    /// Whether the failed request may have been acted on: its connection was lost or timed out
    /// after it was sent, the server failed (a 5xx, which a gateway may answer after passing the
    /// request on), it was redirected (a 3xx, which cbq does not follow: 303 and 302 are how many
    /// servers answer a POST they carried out), or an earlier attempt of it was answered so.
    public var failedMayHaveWritten: Bool {
        guard failed != nil else { return false }
        switch error as? ExecutionError {
        case .transport(let transport, _, _, let attempts)?: return transport.kind != .connect || attempts > 1
        case .api(let status, _, _, _, let attempts)?: return status >= 500 || (300..<400).contains(status) || attempts > 1
        case .malformed?, .foreignLink?, .localRowLimit?: return false
        case nil: return true
        }
    }
}
