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
        switch op {
        case .equal: return nil
        case .notEqual: return "neq"
        case .greater: return comparisons == .guide ? "g" : "gt"
        case .greaterOrEqual: return "ge"
        case .less: return comparisons == .guide ? "l" : "lt"
        case .lessOrEqual: return "le"
        case .like: return "like"
        }
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

    public init(_ comparison: ComparisonOperator) {
        switch comparison {
        case .equal: self = .equal
        case .notEqual: self = .notEqual
        case .greater: self = .greater
        case .greaterOrEqual: self = .greaterOrEqual
        case .less: self = .less
        case .lessOrEqual: self = .lessOrEqual
        }
    }
}

extension ComparisonOperator {
    /// The comparison a filter operator performs; nil for LIKE, which is not a comparison.
    /// Defined as the inverse of `FilterOperator.init(_:)`, so the two cannot disagree.
    public init?(_ op: FilterOperator) {
        guard let comparison = ComparisonOperator.allCases.first(where: { FilterOperator($0) == op }) else { return nil }
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
