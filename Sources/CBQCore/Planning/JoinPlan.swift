/// A SELECT over several endpoints, as inert as a ``RequestPlan``: each side's own requests
/// (the WHERE and ON conjuncts that read only it, pushed as its filters), how each later side
/// is matched to the rows before it, and the statement the joined rows feed.
///
///     SELECT c.case_number, p.last_name
///     FROM cases.cases c JOIN people.people p ON p.id = c.person_id
///     WHERE c.status = 'open'
///
/// is two sides: `c`, fetched with `filter[status]=open`; and `p`, which may be fetched by id
/// (one `GET …/people/people/<id>` per distinct `c.person_id`) or whole (its pages), whichever
/// the totals say costs fewer requests. The choice is the runtime's: it needs the totals and
/// the distinct keys, which only requests can tell.
///
/// Columns: a qualified column (`c.status`) is known at plan time; an unqualified one is
/// resolved once the sides' rows show which has it (both is an error), so it is never pushed.
public struct JoinPlan: Hashable, Sendable {
    public struct Side: Hashable, Sendable {
        /// The name columns qualify it by: its alias, else its endpoint's name.
        public var name: String
        public var table: TableReference
        /// nil for the driving (first) side.
        public var kind: JoinClause.Kind?
        /// The requests that fetch it whole, with its own conjuncts pushed where the API can.
        public var plan: RequestPlan
        /// Its own conjuncts (unqualified), which a by-id fetch evaluates itself.
        public var ownConditions: [Expression] = []
        /// What matches a row of the earlier sides with a row of this one (qualified, or
        /// unqualified to be resolved against the sides so far); nil: every pair (a cross join).
        public var condition: Expression?
        /// `this = earlier` conjuncts of the condition, for a hash join.
        public var equalities: [Equality] = []
        /// `ON name.id = key`: the key over earlier sides, for fetching this side by id.
        public var lookup: Expression?
        /// Read from the driving requests' `included` (`include=<lookup column>`), where the
        /// dialect says the server sends compound documents; keys it lacks are looked up by id.
        public var included = false

        /// Ids per lookup request: 1 (`GET …/<id>`), or up to 50 in `filter[id]=a,b,c` where
        /// the dialect says the server takes id lists (and the side's filters do not use id).
        public var idBatch: Int {
            guard plan.dialect.idLists, plan.target == .collection,
                  !plan.pushed.contains(where: { $0.parameters.contains { $0.formattedName() == "filter[id]" } }) else { return 1 }
            return max(1, min(50, plan.pageSize ?? 50))
        }

        /// The JSON:API type of its resources: the known endpoint's, else the endpoint's name.
        public var resourceType: String {
            KnownEndpoint.all.first { $0.service == table.service.name && $0.name == table.endpoint.name }?.type ?? table.endpoint.name
        }

        /// `JOIN people.people p`, as `explain` names the side.
        public var title: String {
            let table = self.table.alias.map { "\(self.table) \($0.name)" } ?? "\(self.table)"
            guard let kind else { return table }
            return kind == .comma ? ", \(table)" : "\(kind.rawValue) \(table)"
        }
    }

    /// `this = earlier`: `this` reads only the side it belongs to, `earlier` only sides before.
    public struct Equality: Hashable, Sendable {
        public var this: Expression
        public var earlier: Expression
    }

    public var sides: [Side]
    /// WHERE conjuncts that need the joined row (they read several sides, or a column not yet
    /// resolved, or the nullable side of a LEFT JOIN).
    public var residual: [Expression]
    /// The statement as prepared (parameters bound, constants folded), for the local query
    /// over the joined rows, which ``Planner/joinedQuery(_:columns:)`` builds once the sides'
    /// columns are known.
    public var statement: SelectStatement
    public var source: SourceText
    /// The local operators over the joined rows, as far as they are known before any row
    /// (names as written), for `explain`.
    public var localOperators: [String] = []
    /// LIMIT 0: no row can be in the result, so nothing is sent.
    public var sendsNothing = false
}

/// The local part of a join, once the sides' columns are known: the joined rows' slots, what
/// filters them, and the local query (group, project, sort, limit) over them.
public struct JoinedQuery: Sendable {
    /// A plan whose projection is the local query; it sends nothing.
    public var plan: RequestPlan
    /// The WHERE conjuncts left for the joined rows, resolved.
    public var residual: Expression?
    /// The slot names a joined row has (`c.status`), in order: the local query's inputs, then
    /// what the residual reads.
    public var columns: [String]
}

/// A `WHERE x IN (SELECT …)` or `EXISTS (SELECT …)`, run before the statement around it.
public struct Subquery: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// `x [NOT] IN (SELECT col …)`: the first column's values.
        case values
        /// `EXISTS (SELECT … WHERE inner = outer.col …)`: the correlated equality turned into
        /// `outer.col IN (SELECT inner …)`; `outer` is nil when nothing correlates.
        case exists(outer: Expression?)
    }
    public var kind: Kind
    /// Where the subquery stands in the outer statement (its IN or EXISTS).
    public var range: SourceRange
    /// What is run: for EXISTS, the inner column of the correlation is its only output.
    public var plan: StatementPlan
}

/// A statement with subqueries in its WHERE: run them, put their values in place (an IN list,
/// TRUE or FALSE), and plan what is left (``Planner/plan(_:source:)`` again, now without them).
public struct SemiJoinPlan: Hashable, Sendable {
    public var subqueries: [Subquery]
    /// The outer statement, prepared, its subqueries still in place.
    public var statement: SelectStatement
    public var source: SourceText
    /// How the outer statement would run with its subqueries as local predicates, for
    /// `explain` (the real plan is made once their values are known).
    public var preview: StatementPlan?
}
