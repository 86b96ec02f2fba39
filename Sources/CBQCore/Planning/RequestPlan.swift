/// What a statement asks of the API: an inert, comparable value that says which requests to
/// send, which predicates the API applies and which cbq applies to the rows it gets back, how
/// to sort, page, cap and project.
///
///     let plan = try Planner().plan("SELECT * FROM people.people WHERE last_name LIKE 'Doe'")
///     plan.url(page: 1)
///     // https://api.casebook.net/people/people?filter[last_name][like]=Doe&page[size]=100
///
/// Generating URLs is a separate, pure step (``url(page:style:)``), so tests assert them as strings.
public struct RequestPlan: Hashable, Sendable {
    /// What the requests address.
    public enum Target: Hashable, Sendable {
        /// `GET /service/endpoint?…`, page after page.
        case collection
        /// `GET /service/endpoint/<id>` for each id (from `WHERE id = 'x'` or `WHERE id IN (…)`).
        case resources([String])
    }

    /// A predicate the API evaluates, and the parameters that express it.
    public struct PushedPredicate: Hashable, Sendable {
        public var text: String
        public var range: SourceRange
        public var parameters: [QueryParameter]
        /// The condition as cbq would evaluate it, to check what the API returned.
        public var expression: Expression?

        public init(text: String, range: SourceRange, parameters: [QueryParameter], expression: Expression? = nil) {
            self.text = text
            self.range = range
            self.parameters = parameters
            self.expression = expression
        }
    }

    /// A predicate cbq evaluates on each fetched row, and why the API cannot.
    public struct LocalPredicate: Hashable, Sendable {
        public var expression: Expression
        public var text: String
        public var reason: String
        /// The filter parameter the server answered 400 for before, when that is why cbq
        /// evaluates this condition (``PlannerOptions/rejectedFilters``).
        public var refusedParameter: String?

        public init(expression: Expression, text: String, reason: String, refusedParameter: String? = nil) {
            self.expression = expression
            self.text = text
            self.reason = reason
            self.refusedParameter = refusedParameter
        }
    }

    public struct SortKey: Hashable, Sendable {
        public var field: String
        public var descending: Bool

        public init(field: String, descending: Bool) {
            self.field = field
            self.descending = descending
        }
    }

    /// The result's columns.
    public enum Projection: Hashable, Sendable {
        /// `id`, then every attribute in the order the server sends them.
        case all
        /// Exactly these columns, in this order.
        case columns([OutputColumn])
        /// One row, one column: the number of matching rows.
        case count(name: String)
        /// Rows computed locally: expressions, groups, DISTINCT, a local sort.
        case computed(LocalQuery)
    }

    public struct OutputColumn: Hashable, Sendable {
        /// The attribute read (`id` is the resource id).
        public var field: String
        /// The column's name in the output (an alias, or the field).
        public var name: String
    }

    /// `service.endpoint` as written.
    public var service: String
    public var endpoint: String
    /// Without a trailing slash, e.g. `https://api.casebook.net`.
    public var baseURL: String
    public var dialect: Dialect
    public var target: Target
    public var pushed: [PushedPredicate]
    public var local: [LocalPredicate]
    /// The columns whose type the catalog knew when this was planned: constants compared with
    /// them were checked then, so the pager need not check them against the rows.
    public var columnsOfKnownType: Set<String> = []
    public var sort: [SortKey]
    /// `fields[type]=…` when sparse fieldsets are on.
    public var fields: QueryParameter?
    /// `include=…`: relationships whose resources a join reads from the response's `included`.
    public var include: [String] = []
    /// `page[size]`; nil for single-resource requests. The only paging setting the pager may
    /// change (halving a size the API rejected): the start page and the rows to skip follow.
    public var pageSize: Int?
    /// OFFSET: rows to pass over before the first one returned.
    public var offset: Int
    /// At most this many rows (LIMIT).
    public var rowCap: Int?
    public var projection: Projection
    /// Where a collection response keeps its total, e.g. `["meta", "total"]`; used by COUNT(*).
    public var totalPath: [String]
    /// Every column the statement reads, at its first mention: after the first page, one that
    /// no row has is an error, never a silent column of NULLs.
    public var readColumns: [Identifier] = []
    /// GROUP BY names taken as select-list aliases: one that is also a column of the rows is
    /// ambiguous, and an error after the first page.
    public var groupAliases: [Identifier] = []
    /// Where the statement names what an API error may be about: the whole statement, its
    /// `service.endpoint` (a 404), its ORDER BY (a 400 naming `sort`).
    public var statementRange = SourceRange(0, 0)
    public var endpointRange: SourceRange?
    public var orderRange: SourceRange?
    /// Columns a pushed `IS NULL` tests: a server may leave null attributes out, so their
    /// absence from the rows is no error.
    public var mayBeAbsent: Set<String> = []

    /// The local operators after the requests, if any.
    public var localQuery: LocalQuery? {
        if case .computed(let query) = projection { return query }
        return nil
    }

    /// The 1-based page to start from (past pages an OFFSET skips whole).
    public var startPage: Int { Self.pageStart(offset: offset, pageSize: skipsWholePages ? pageSize : nil).page }

    /// Rows to drop once they have passed the local predicates: the part of OFFSET that pages
    /// could not skip, or all of it when there are local predicates (a page's rows may not pass).
    public var skipRows: Int { Self.pageStart(offset: offset, pageSize: skipsWholePages ? pageSize : nil).skip }

    /// Whole pages can be skipped only when every row of a page is a result row.
    private var skipsWholePages: Bool { target == .collection && local.isEmpty }

    /// The page formula, in one place: the page an offset falls on, and how many rows of it to
    /// skip. Without a page size (single resources, or local predicates), it skips row by row.
    ///
    ///     RequestPlan.pageStart(offset: 45, pageSize: 20)   // (page: 3, skip: 5)
    public static func pageStart(offset: Int, pageSize: Int?) -> (page: Int, skip: Int) {
        guard let pageSize, pageSize > 0 else { return (1, offset) }
        return (offset / pageSize + 1, offset % pageSize)
    }

    /// The predicates evaluated locally, joined with AND; nil when the API does all the filtering.
    public var localFilter: Expression? { Expression.conjunction(local.map(\.expression)) }

    /// The URL of one first page of `size` rows, nothing else asked (no sort, fields, include
    /// or offset), with the plan's filters or, unfiltered, without any: a probe's request for a
    /// total, or a sample's for column names.
    public func firstPageURL(size: Int, filtered: Bool) -> String {
        var one = self
        if !filtered {
            one.pushed = []
            one.local = []
        }
        one.pageSize = size
        one.sort = []
        one.offset = 0
        one.rowCap = nil
        one.fields = nil
        one.include = []
        return one.url(page: 1, style: .wire)
    }

    /// Whether COUNT(*) can read the total from the first page instead of counting rows.
    public var countsFromTotal: Bool {
        if case .count = projection, local.isEmpty, target == .collection { return true }
        return false
    }

    /// Every filter parameter, in WHERE order.
    public var filterParameters: [QueryParameter] { pushed.flatMap(\.parameters) }

    /// `sort=` as sent (`-created_at,id`), or nil when the server is not asked to sort.
    public var sortParameter: QueryParameter? {
        sort.isEmpty ? nil : QueryParameter("sort", values: sort.map { ($0.descending ? "-" : "") + $0.field })
    }

    /// The query parameters of a collection page: filters, sort, sparse fields, then paging.
    /// The start page carries no page number when it is page 1.
    public func parameters(page: Int) -> [QueryParameter] {
        var parameters = filterParameters
        if let sortParameter { parameters.append(sortParameter) }
        if let fields { parameters.append(fields) }
        if !include.isEmpty { parameters.append(QueryParameter("include", values: include)) }
        if let pageSize { parameters.append(dialect.pageSizeParameter(pageSize)) }
        if page > 1 { parameters.append(dialect.pageNumberParameter(page)) }
        return parameters
    }

    /// `<base>/<service>/<endpoint>`, each segment percent-encoded.
    public var collectionURL: String {
        dialect.path(baseURL + "/" + PercentEncoding.pathSegment(service) + "/" + PercentEncoding.pathSegment(endpoint))
    }

    /// `<base>/<service>/<endpoint>/<id>`, as this server spells paths.
    public func resourceURL(id: String) -> String {
        dialect.path(baseURL + "/" + PercentEncoding.pathSegment(service) + "/" + PercentEncoding.pathSegment(endpoint) + "/"
                     + PercentEncoding.pathSegment(id))
    }

    /// The URL of one page of a collection.
    public func url(page: Int, style: QueryParameter.Style = .readable) -> String {
        let query = parameters(page: page).map { $0.formatted(style) }.joined(separator: "&")
        return query.isEmpty ? collectionURL : collectionURL + "?" + query
    }

    /// The first request's URL for a collection; one URL per resource otherwise.
    public func initialURLs(style: QueryParameter.Style = .readable) -> [String] {
        switch target {
        case .collection:
            return [url(page: startPage, style: style)]
        case .resources(let ids):
            let query = fields.map { "?" + $0.formatted(style) } ?? ""
            return ids.map { resourceURL(id: $0) + query }
        }
    }
}
