import CBQCore

/// Runs reads of every shape: one endpoint (``Executor``), a join (``JoinExecutor``), and a
/// statement with subqueries, whose subqueries run first and whose values then stand in
/// their place (``SemiJoinPlan/substituting(_:)``) before it is planned again.
public struct QueryRunner: Sendable {
    public let executor: Executor
    public let planner: Planner

    public init(executor: Executor, planner: Planner) {
        self.executor = executor
        self.planner = planner
    }

    /// A subquery's failure, with the subquery, so the error is shown at its text.
    public struct SubqueryFailure: Error {
        public var subquery: Subquery
        public var error: any Error
    }

    /// Runs each subquery and plans the statement with their values in place. A list of ids
    /// (`id IN (SELECT person_id …)`) is fetched by id only when that takes fewer rounds of
    /// requests than the endpoint's pages: a probe of the collection tells.
    public func resolve(_ semi: SemiJoinPlan) async throws -> (plan: StatementPlan, summary: ExecutionSummary) {
        var summary = ExecutionSummary()
        var values: [[SQLValue]] = []
        for subquery in semi.subqueries {
            do {
                let (rows, cost) = try await collect(subquery.plan)
                summary = summary.adding(cost)
                var seen: Set<GroupValue> = []
                values.append(rows.compactMap { $0.first }.filter { seen.insert(GroupValue($0)).inserted })
            } catch {
                throw SubqueryFailure(subquery: subquery, error: error)
            }
        }
        let statement = semi.substituting(values)
        var plan = try planner.planQuery(statement, source: semi.source)
        if case .select(let byID) = plan, case .resources(let ids) = byID.target, ids.count > max(1, executor.options.concurrency) {
            var options = planner.options
            options.fetchesByID = false
            if case .select(let whole) = try Planner(options).planQuery(statement, source: semi.source), whole.target == .collection {
                let total = try await JoinExecutor(executor: executor, planner: planner).probeTotal(whole, summary: &summary)
                let strategy = JoinStrategy.choose(keys: ids.count, total: total, pageSize: whole.pageSize ?? 100,
                                                   concurrency: executor.options.concurrency)
                if strategy == .whole { plan = .select(whole) }
            }
        }
        return (plan, summary)
    }

    /// A read's rows as values, in its output columns' order (a subquery's result).
    public func collect(_ plan: StatementPlan) async throws -> (rows: [[SQLValue]], summary: ExecutionSummary) {
        let collector = CollectingRenderer()
        let maxRows = executor.options.maxLocalRows
        switch plan {
        case .select(let read):
            let writer = try ResultWriter(plan: read, renderer: collector, maxLocalRows: maxRows)
            let summary = try await executor.run(read, satisfied: { writer.isSatisfied }) { rows in
                try writer.write(rows)
                if collector.rows.count > maxRows { throw ExecutionError.localRowLimit(maxRows, operation: "a subquery") }
            }
            try writer.finish(count: summary.count)
            return (collector.rows, summary)
        case .join(let join):
            let outcome = try await JoinExecutor(executor: executor, planner: planner).run(join)
            let writer = try ResultWriter(plan: outcome.query.plan, renderer: collector, maxLocalRows: maxRows)
            try writer.write(values: outcome.rows)
            try writer.finish(count: nil)
            return (collector.rows, outcome.summary)
        case .semiJoin(let semi):
            let (resolved, cost) = try await resolve(semi)
            let (rows, summary) = try await collect(resolved)
            return (rows, cost.adding(summary))
        case .explain(let inner), .analyze(let inner):
            return try await collect(inner)
        case .write(let write):
            // The grammar puts only SELECTs in subqueries; this keeps the switch honest.
            throw Diagnostic.notAllowedInWrite("a write", clause: "a subquery", at: write.statementRange)
        }
    }
}

/// Keeps rows as values instead of printing them.
final class CollectingRenderer: ResultRenderer {
    private var columns: [ResultColumn] = []
    private(set) var rows: [[SQLValue]] = []

    func begin(_ columns: [ResultColumn]) { self.columns = columns }

    func write(_ row: ResultRow) {
        switch row {
        case .raw(let raw): rows.append(columns.map { raw.sqlValue($0.field) })
        case .values(let values): rows.append(values)
        case .encoded: break  // never: this renderer has no encoder
        }
    }

    func finish(rowCount: Int) {}
}
