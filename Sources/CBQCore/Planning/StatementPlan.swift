/// What running a statement means: one case per kind of operation, as ``Statement`` has one
/// per kind of statement. Reads are ``RequestPlan``s; writes will be cases of their own.
///
///     switch try Planner().plan("EXPLAIN SELECT * FROM people.people") {
///     case .select(let read): …            // fetch and render its rows
///     case .explain(let inner): …          // print inner.explanation(), send nothing
///     }
public indirect enum StatementPlan: Hashable, Sendable {
    /// Fetch rows.
    case select(RequestPlan)
    /// Fetch the rows of several endpoints and join them.
    case join(JoinPlan)
    /// Run subqueries, then the statement with their values in place.
    case semiJoin(SemiJoinPlan)
    /// INSERT, UPDATE or DELETE: find the rows, then one POST, PATCH or DELETE each.
    case write(WritePlan)
    /// Print how the inner statement would run; send nothing.
    case explain(StatementPlan)
    /// Run the inner statement, and print its plan with what happened instead of its rows.
    case analyze(StatementPlan)

    /// The plan for a person, as `cbq explain` prints it (the inner plan's, for EXPLAIN).
    public func explanation() -> String {
        switch self {
        case .select(let read): return read.explanation()
        case .join(let join): return join.explanation()
        case .semiJoin(let semi): return semi.explanation()
        case .write(let write): return write.explanation()
        case .explain(let inner), .analyze(let inner): return inner.explanation()
        }
    }

    /// The first request of each resource or collection, as `cbq translate` prints them.
    public func initialURLs(style: QueryParameter.Style = .readable) -> [String] {
        switch self {
        case .select(let read): return read.initialURLs(style: style)
        case .join(let join): return join.sides.flatMap { $0.plan.initialURLs(style: style) }
        case .semiJoin(let semi): return semi.subqueries.flatMap { $0.plan.initialURLs(style: style) }
        case .write(let write): return write.initialURLs(style: style)
        case .explain(let inner), .analyze(let inner): return inner.initialURLs(style: style)
        }
    }
}

/// What a column holds, as rows showed it: what a constant compared with it is read as.
public enum ColumnType: String, Sendable, Hashable {
    case number, boolean, date, timestamp
}
