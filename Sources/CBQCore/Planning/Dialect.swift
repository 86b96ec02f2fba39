/// How one Casebook deployment spells filters and pages. The guide's spelling is the default;
/// the real API's is unconfirmed, so every spelling that differs between the guide and common
/// JSON:API servers is a setting here rather than a constant in the planner.
///
///     Dialect.guide.filterName(.greater)      // "g"   → filter[age][g]=18
///     Dialect.jsonAPI.filterName(.greater)    // "gt"  → filter[age][gt]=18
public struct Dialect: Hashable, Sendable {
    /// Comparison spellings: `g`/`l` (the guide) or `gt`/`lt`.
    public enum ComparisonSpelling: String, Hashable, Sendable, CaseIterable {
        case guide = "g-l"
        case gtLt = "gt-lt"
    }

    /// The page-number parameter: `page=N` (the guide) or `page[number]=N` (JSON:API's habit).
    public enum PageNumberSpelling: String, Hashable, Sendable, CaseIterable {
        case page = "page"
        case pageNumber = "page[number]"
    }

    public var comparisons: ComparisonSpelling
    public var pageNumber: PageNumberSpelling
    /// The server answers JSON:API's `include=rel` with the related resources in `included`
    /// (compound documents). The guide does not mention it, so it is off unless `--include`.
    public var include = false
    /// The server reads `filter[id]=a,b,c` as any of those ids, so a join looks up to 50 ids
    /// a request (`--id-lists`). Off unless said: the guide does not mention lists.
    public var idLists = false

    public init(comparisons: ComparisonSpelling = .guide, pageNumber: PageNumberSpelling = .page) {
        self.comparisons = comparisons
        self.pageNumber = pageNumber
    }

    /// The guide's spellings: `g`, `ge`, `l`, `le`, `neq`, `like`, `page`.
    public static let guide = Dialect()
    /// Common JSON:API spellings: `gt`, `ge`, `lt`, `le`, `neq`, `like`, `page[number]`.
    public static let jsonAPI = Dialect(comparisons: .gtLt, pageNumber: .pageNumber)

    /// Named dialects for `--dialect`.
    public static let named: [(name: String, dialect: Dialect)] = [("guide", .guide), ("jsonapi", .jsonAPI)]

    /// The operator subscript for a filter, or nil for plain equality (`filter[f]=v`).
    public func filterName(_ op: FilterOperator) -> String? {
        let spelling = FilterOperator.spellings[op]!
        return comparisons == .guide ? spelling.guide : spelling.gtLt
    }

    /// The operator a filter subscript names in this dialect (the inverse of ``filterName(_:)``).
    public func filterOperator(named name: String?) -> FilterOperator? {
        guard let name else { return .equal }
        return FilterOperator.allCases.first { $0 != .equal && filterName($0) == name }
    }

    public func filterParameter(_ field: String, _ op: FilterOperator, _ value: String) -> QueryParameter {
        QueryParameter("filter", [field] + (filterName(op).map { [$0] } ?? []), value: value)
    }

    public func pageNumberParameter(_ page: Int) -> QueryParameter {
        switch pageNumber {
        case .page: return QueryParameter("page", value: String(page))
        case .pageNumber: return QueryParameter("page", ["number"], value: String(page))
        }
    }

    public func pageSizeParameter(_ size: Int) -> QueryParameter {
        QueryParameter("page", ["size"], value: String(size))
    }
}

/// The filters the API understands.
public enum FilterOperator: String, Hashable, Sendable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case greater = ">"
    case greaterOrEqual = ">="
    case less = "<"
    case lessOrEqual = "<="
    case like = "LIKE"

    /// The one table the operator conversions read: each filter, the SQL comparison it
    /// performs (none for LIKE), and its subscript in each comparison spelling (none for
    /// plain equality). The filter for a comparison, the comparison of a filter and a
    /// dialect's subscripts are all derived from it, so they cannot disagree.
    static let table: [(filter: FilterOperator, comparison: ComparisonOperator?, guide: String?, gtLt: String?)] = [
        (.equal, .equal, nil, nil),
        (.notEqual, .notEqual, "neq", "neq"),
        (.greater, .greater, "g", "gt"),
        (.greaterOrEqual, .greaterOrEqual, "ge", "ge"),
        (.less, .less, "l", "lt"),
        (.lessOrEqual, .lessOrEqual, "le", "le"),
        (.like, nil, "like", "like"),
    ]

    static let spellings = Dictionary(uniqueKeysWithValues: table.map { ($0.filter, (guide: $0.guide, gtLt: $0.gtLt)) })

    /// The filter that performs a comparison.
    public init(_ comparison: ComparisonOperator) {
        self = Self.table.first { $0.comparison == comparison }!.filter
    }
}

extension ComparisonOperator {
    /// The comparison a filter operator performs; nil for LIKE, which is not a comparison.
    public init?(_ op: FilterOperator) {
        guard let comparison = FilterOperator.table.first(where: { $0.filter == op })?.comparison else { return nil }
        self = comparison
    }
}

/// Where Casebook accounts live.
public enum Region: String, Hashable, Sendable, CaseIterable {
    case us, ca

    public var baseURL: String {
        switch self {
        case .us: return "https://api.casebook.net"
        case .ca: return "https://api.casebookca.net"
        }
    }

    public var displayName: String { self == .us ? "US" : "Canada" }
}
