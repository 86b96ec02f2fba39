/// How one Casebook deployment spells filters and pages. The guide's spelling is the default;
/// the real API's is unconfirmed, so every spelling that differs between the guide and common
/// JSON:API servers is a setting here rather than a constant in the planner.
///
///     Dialect.guide.filterName(.greater)      // "g"   → filter[age][g]=18
///     Dialect.jsonAPI.filterName(.greater)    // "gt"  → filter[age][gt]=18
public struct Dialect: Hashable, Sendable {
    /// Comparison spellings: `g`/`l` (the guide), `gt`/`lt`, or django-filter's `gt`/`gte`/`lt`/`lte`
    /// (which has no not-equal lookup).
    public enum ComparisonSpelling: String, Hashable, Sendable, CaseIterable {
        case guide = "g-l"
        case gtLt = "gt-lt"
        case gtGte = "gt-gte"
    }

    /// Where the operator goes in a filter's key: `filter[f][op]` (the guide, JSON:API's habit)
    /// or `filter[f.op]` (Django REST framework JSON:API with django-filter).
    public enum FilterKeyStyle: String, Hashable, Sendable, CaseIterable {
        case brackets, dotted
    }

    /// How LIKE is asked for: `filter[f][like]=pattern` with `%` and `_`, or django-filter's
    /// lookups for the patterns they express (`iexact`, `icontains`, `istartswith`, `iendswith`),
    /// every other pattern evaluated locally.
    public enum LikeStyle: String, Hashable, Sendable, CaseIterable {
        case pattern, lookups
    }

    /// How NULL is asked for: `filter[f]=null` and `filter[f][neq]=null` (the guide), or
    /// `filter[f.isnull]=true` and `=false` (django-filter, which reads `=null` as the text).
    public enum NullStyle: String, Hashable, Sendable, CaseIterable {
        case value, isnull
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
    public var filterKeys = FilterKeyStyle.brackets
    public var like = LikeStyle.pattern
    public var null = NullStyle.value
    /// The lookup that takes a comma list for IN (`in` in django-filter); nil: IN is local.
    public var inList: String?
    /// Where a collection response keeps its total, unless `--total-path` says.
    public var totalPath = ["meta", "total"]
    /// A page past the end is a 404 (django-filter's "Invalid page."), not an empty page.
    public var pastEndIsNotFound = false
    /// Paths end with `/` (`/people/people/`, `/people/people/PER-1/`), as Django's do.
    public var trailingSlash = false

    /// A path as this server spells it: with or without the trailing slash.
    public func path(_ path: String) -> String { trailingSlash ? path + "/" : path }

    public init(comparisons: ComparisonSpelling = .guide, pageNumber: PageNumberSpelling = .page) {
        self.comparisons = comparisons
        self.pageNumber = pageNumber
    }

    /// The guide's spellings: `g`, `ge`, `l`, `le`, `neq`, `like`, `page`.
    public static let guide = Dialect()
    /// Common JSON:API spellings: `gt`, `ge`, `lt`, `le`, `neq`, `like`, `page[number]`.
    public static let jsonAPI = Dialect(comparisons: .gtLt, pageNumber: .pageNumber)
    /// Django REST framework JSON:API with django-filter: `filter[f.gt]`, `gte`, `lt`, `lte`,
    /// `iexact`/`icontains`/`istartswith`/`iendswith`, `in`, `isnull`; `page[number]`; the total
    /// in `meta.pagination.count`; a page past the end is a 404.
    public static let drf: Dialect = {
        var dialect = Dialect(comparisons: .gtGte, pageNumber: .pageNumber)
        dialect.filterKeys = .dotted
        dialect.like = .lookups
        dialect.null = .isnull
        dialect.inList = "in"
        dialect.totalPath = ["meta", "pagination", "count"]
        dialect.pastEndIsNotFound = true
        return dialect
    }()

    /// Named dialects for `--dialect`.
    public static let named: [(name: String, dialect: Dialect)] = [("guide", .guide), ("jsonapi", .jsonAPI), ("drf", .drf)]

    /// The operator subscript for a filter, or nil for plain equality (`filter[f]=v`) and for
    /// an operator this dialect has no filter for (see ``supports(_:)``).
    public func filterName(_ op: FilterOperator) -> String? {
        let spelling = FilterOperator.spellings[op]!
        switch comparisons {
        case .guide: return spelling.guide
        case .gtLt: return spelling.gtLt
        case .gtGte: return spelling.gtGte
        }
    }

    /// Whether the API can be asked for `op` at all (django-filter has no not-equal, and its
    /// LIKE is a set of lookups).
    public func supports(_ op: FilterOperator) -> Bool {
        switch op {
        case .equal: return true
        case .like: return like == .pattern
        default: return filterName(op) != nil
        }
    }

    /// The operator a filter subscript names in this dialect (the inverse of ``filterName(_:)``).
    public func filterOperator(named name: String?) -> FilterOperator? {
        guard let name else { return .equal }
        return FilterOperator.allCases.first { $0 != .equal && supports($0) && filterName($0) == name }
    }

    public func filterParameter(_ field: String, _ op: FilterOperator, _ value: String) -> QueryParameter {
        lookupParameter(field, op == .equal ? nil : filterName(op), value)
    }

    /// `filter[f]=v`, or with a lookup `filter[f][lookup]=v` or `filter[f.lookup]=v`.
    public func lookupParameter(_ field: String, _ lookup: String?, _ value: String) -> QueryParameter {
        guard let lookup else { return QueryParameter("filter", [field], value: value) }
        switch filterKeys {
        case .brackets: return QueryParameter("filter", [field, lookup], value: value)
        case .dotted: return QueryParameter("filter", [field + "." + lookup], value: value)
        }
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
    static let table: [(filter: FilterOperator, comparison: ComparisonOperator?, guide: String?, gtLt: String?, gtGte: String?)] = [
        (.equal, .equal, nil, nil, nil),
        (.notEqual, .notEqual, "neq", "neq", nil),
        (.greater, .greater, "g", "gt", "gt"),
        (.greaterOrEqual, .greaterOrEqual, "ge", "ge", "gte"),
        (.less, .less, "l", "lt", "lt"),
        (.lessOrEqual, .lessOrEqual, "le", "le", "lte"),
        (.like, nil, "like", "like", nil),
    ]

    static let spellings = Dictionary(uniqueKeysWithValues: table.map { ($0.filter, (guide: $0.guide, gtLt: $0.gtLt, gtGte: $0.gtGte)) })

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

/// django-filter's case-insensitive lookups, and the LIKE patterns each expresses exactly.
public enum LikeLookup: String, Sendable, CaseIterable {
    case iexact, icontains, istartswith, iendswith

    /// The lookup and its value for a LIKE pattern, when one expresses it: `doe` is iexact,
    /// `%doe%` icontains, `doe%` istartswith, `%doe` iendswith; any other `%` or an `_` has no
    /// lookup (nil), and runs locally.
    public static func of(_ pattern: String) -> (LikeLookup, String)? {
        var text = Substring(pattern)
        let leading = text.hasPrefix("%"), trailing = text.count > 1 && text.hasSuffix("%")
        if leading { text = text.dropFirst() }
        if trailing { text = text.dropLast() }
        guard !text.isEmpty, !text.contains("%"), !text.contains("_") else { return nil }
        switch (leading, trailing) {
        case (false, false): return (.iexact, String(text))
        case (true, true): return (.icontains, String(text))
        case (false, true): return (.istartswith, String(text))
        case (true, false): return (.iendswith, String(text))
        }
    }

    /// The LIKE pattern the lookup of `value` means (the sandbox's reading).
    public func pattern(_ value: String) -> String {
        switch self {
        case .iexact: return value
        case .icontains: return "%" + value + "%"
        case .istartswith: return value + "%"
        case .iendswith: return "%" + value
        }
    }
}
