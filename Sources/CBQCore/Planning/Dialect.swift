/// How one server spells filters, pages and totals, as data: key templates with `{field}` and
/// `{op}` holes, operator names, how NULL, LIKE and IN are asked for, the page parameters, where
/// the total lives. The guide's spelling is the default; the real API's is unconfirmed, so
/// every spelling that differs between the guide and common JSON:API servers is a setting here
/// rather than a constant in the planner. A profile can define its own (``Dialect/KeyTemplate``).
///
///     Dialect.guide.filterName(.greater)      // "g"   → filter[age][g]=18
///     Dialect.jsonAPI.filterName(.greater)    // "gt"  → filter[age][gt]=18
///     Dialect.drf.filterName(.greater)        // "gt"  → filter[age.gt]=18
public struct Dialect: Hashable, Sendable {
    /// Comparison spellings, for `--comparisons`: `g`/`l` (the guide), `gt`/`lt`, or
    /// django-filter's `gt`/`gte`/`lt`/`lte` (which has no not-equal lookup).
    public enum ComparisonSpelling: String, Hashable, Sendable, CaseIterable {
        case guide = "g-l"
        case gtLt = "gt-lt"
        case gtGte = "gt-gte"

        /// The operator names this spelling gives (LIKE and equality are not comparisons' names).
        public var operators: [FilterOperator: String] {
            var names: [FilterOperator: String] = [:]
            for row in FilterOperator.table where row.filter != .like {
                let name: String? = switch self {
                case .guide: row.guide
                case .gtLt: row.gtLt
                case .gtGte: row.gtGte
                }
                if let name { names[row.filter] = name }
            }
            return names
        }
    }

    /// The page-number parameter, for `--page-param`: `page=N` (the guide) or `page[number]=N`.
    public enum PageNumberSpelling: String, Hashable, Sendable, CaseIterable {
        case page = "page"
        case pageNumber = "page[number]"
    }

    /// A parameter name with holes, `filter[{field}][{op}]`: a name and subscripts, each of
    /// which may hold `{field}` and `{op}`. The holes are filled per part, so a field's own
    /// brackets or dots cannot make another parameter's shape.
    public struct KeyTemplate: Hashable, Sendable, CustomStringConvertible {
        /// `filter` and `["{field}", "{op}"]`.
        public let parts: [String]
        public let description: String
        /// The holes the parts hold: `field`, `op`, both or none.
        private let holes: Set<String>

        // Templates and keys are read scalar by scalar, never by characters: a `{`, `[` or
        // `-` followed by a combining mark is one character, and would hide from a search.

        /// Parses `name[sub][sub]`; nil when brackets do not balance, the name is empty, or a
        /// hole is other than `{field}` and `{op}`, or appears twice (matching a key against
        /// holes is then polynomial in the key's length with a small power, never worse).
        public init?(_ text: String) {
            guard let (name, subscripts) = KeyTemplate.split(text), let holes = KeyTemplate.holes(in: [name] + subscripts) else { return nil }
            parts = [name] + subscripts
            description = text
            self.holes = holes
        }

        private init(parts: [String]) {
            self.parts = parts
            description = parts[0] + parts.dropFirst().map { "[" + $0 + "]" }.joined()
            holes = KeyTemplate.holes(in: parts) ?? []
        }

        /// The holes of `parts`; nil when one is unknown, repeated or unclosed.
        private static func holes(in parts: [String]) -> Set<String>? {
            var holes: Set<String> = []
            for part in parts {
                var rest = Substring(part).unicodeScalars
                while let open = rest.firstIndex(of: "{") {
                    guard let close = rest[open...].firstIndex(of: "}") else { return nil }
                    let hole = String(Substring(rest[rest.index(after: open)..<close]))
                    guard hole == "field" || hole == "op", holes.insert(hole).inserted else { return nil }
                    rest = rest[rest.index(after: close)...]
                }
                if rest.contains("}") { return nil }
            }
            return holes
        }

        /// This template with its `{op}` hole filled: `filter[{field}][neq]`.
        public func filling(op: String) -> KeyTemplate {
            KeyTemplate(parts: parts.map { KeyTemplate.fill($0, field: nil, op: op) })
        }

        /// `part` with its holes filled in one pass, so a field that contains `{op}` stays as it is.
        private static func fill(_ part: String, field: String?, op: String?) -> String {
            var text = String.UnicodeScalarView()
            var rest = Substring(part).unicodeScalars
            while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
                text += rest[..<open]
                let hole = String(Substring(rest[rest.index(after: open)..<close]))
                if hole == "field", let field {
                    text += field.unicodeScalars
                } else if hole == "op", let op {
                    text += op.unicodeScalars
                } else {
                    text += rest[open...close]
                }
                rest = rest[rest.index(after: close)...]
            }
            text += rest
            return String(text)
        }

        public var holdsField: Bool { holes.contains("field") }
        public var holdsOperator: Bool { holes.contains("op") }

        /// The parameter for `field` (and `op`), with `value`.
        public func parameter(field: String, op: String? = nil, values: [String]) -> QueryParameter {
            let filled = parts.map { KeyTemplate.fill($0, field: field, op: op) }
            return QueryParameter(filled[0], Array(filled.dropFirst()), values: values)
        }

        /// Every way a parameter's name and subscripts fill this template's holes: one for
        /// `filter[age.gte]` against `filter[{field}.{op}]`, none for `filter[age][gte]`.
        public func matches(_ name: String, _ subscripts: [String]) -> [(field: String?, op: String?)] {
            let given = [name] + subscripts
            guard given.count == parts.count else { return [] }
            var found: [[String: String]] = [[:]]
            for (template, text) in zip(parts, given) {
                found = found.flatMap { bound in KeyTemplate.bind(Substring(template).unicodeScalars, Substring(text).unicodeScalars, bound) }
                if found.isEmpty { return [] }
            }
            return found.map { ($0["field"], $0["op"]) }
        }

        /// The bindings of `template`'s holes that make it `text`, each hole non-empty and
        /// bound once across parts. Matched scalar by scalar, not by characters: a key's `-`
        /// followed by a combining mark is one character, but the template's `-` is in it.
        private static func bind(_ template: Substring.UnicodeScalarView, _ text: Substring.UnicodeScalarView,
                                 _ bound: [String: String]) -> [[String: String]] {
            guard let open = template.firstIndex(of: "{"), let close = template[open...].firstIndex(of: "}") else {
                return template.elementsEqual(text) ? [bound] : []
            }
            let literal = template[..<open]
            guard text.starts(with: literal) else { return [] }
            let hole = String(Substring(template[template.index(after: open)..<close]))
            let rest = template[template.index(after: close)...]
            let tail = text.dropFirst(literal.count)
            var results: [[String: String]] = []
            var end = tail.startIndex
            while end < tail.endIndex {
                end = tail.index(after: end)
                let value = String(Substring(tail[..<end]))
                if let earlier = bound[hole], !earlier.unicodeScalars.elementsEqual(value.unicodeScalars) { continue }
                var next = bound
                next[hole] = value
                results += bind(rest, tail[end...], next)
            }
            return results
        }

        /// `filter[a][b]` → ("filter", ["a", "b"]); nil when brackets do not balance.
        public static func split(_ key: String) -> (String, [String])? {
            let scalars = Substring(key).unicodeScalars
            guard let open = scalars.firstIndex(of: "[") else { return scalars.contains("]") || key.isEmpty ? nil : (key, []) }
            let name = String(Substring(scalars[..<open]))
            var subscripts: [String] = []
            var rest = scalars[open...]
            while !rest.isEmpty {
                guard rest.first == "[", let close = rest.firstIndex(of: "]") else { return nil }
                let inner = rest[rest.index(after: rest.startIndex)..<close]
                if inner.contains("[") { return nil }
                subscripts.append(String(Substring(inner)))
                rest = rest[rest.index(after: close)...]
            }
            return name.isEmpty ? nil : (name, subscripts)
        }
    }

    /// A whole parameter with a `{field}` hole, `filter[{field}.isnull]=true`: how NULL is asked for.
    public struct ParameterTemplate: Hashable, Sendable, CustomStringConvertible {
        public let key: KeyTemplate
        public let value: String

        /// Parses `key=value`; nil without `=`, or with a key that does not parse.
        public init?(_ text: String) {
            guard let equals = text.firstIndex(of: "="), let key = KeyTemplate(String(text[..<equals])) else { return nil }
            self.key = key
            value = String(text[text.index(after: equals)...])
        }

        public init(key: KeyTemplate, value: String) {
            self.key = key
            self.value = value
        }

        public func parameter(field: String) -> QueryParameter { key.parameter(field: field, values: [value]) }
        public var description: String { key.description + "=" + value }
    }

    /// How LIKE is asked for: `filter[f][like]=pattern` with `%` and `_`, or django-filter's
    /// lookups for the patterns they express (`iexact`, `icontains`, `istartswith`, `iendswith`),
    /// every other pattern evaluated locally.
    public enum LikeStyle: Hashable, Sendable {
        /// The operator name that takes a pattern: `like`.
        case pattern(String)
        /// The lookup names for the patterns they express.
        case lookups([LikeLookup: String])
        /// LIKE is evaluated locally.
        case local
    }

    /// Equality: `filter[{field}]`.
    public var equalKey = KeyTemplate("filter[{field}]")!
    /// Every other operator: `filter[{field}][{op}]` (the guide, JSON:API's habit) or
    /// `filter[{field}.{op}]` (Django REST framework JSON:API with django-filter).
    public var operatorKey = KeyTemplate("filter[{field}][{op}]")!
    /// Each comparison's name in ``operatorKey``; one without a name is evaluated locally.
    public var operators: [FilterOperator: String]
    public var like = LikeStyle.pattern("like")
    /// How `IS NULL` and `IS NOT NULL` are asked for. The guide's `filter[f]=null` would be
    /// read as the text 'null' by django-filter, which has `isnull`.
    public enum NullSpelling: Hashable, Sendable {
        /// Equality and not-equal with this value: `filter[f]=null`, `filter[f][neq]=null`,
        /// spelt with the dialect's own keys (IS NOT NULL is local without a not-equal).
        case value(String)
        /// Parameters of their own, `filter[{field}.isnull]=true`; nil: evaluated locally.
        case parameters(isNull: ParameterTemplate?, isNotNull: ParameterTemplate?)
    }
    public var null = NullSpelling.value("null")

    /// `IS NULL` as a whole parameter with a `{field}` hole, or nil when it is local.
    public var isNull: ParameterTemplate? {
        switch null {
        case .value(let value): return ParameterTemplate(key: equalKey, value: value)
        case .parameters(let isNull, _): return isNull
        }
    }

    /// `IS NOT NULL`, likewise: with value-style NULL, the not-equal key (none without one).
    public var isNotNull: ParameterTemplate? {
        switch null {
        case .value(let value): return filterName(.notEqual).map { ParameterTemplate(key: operatorKey.filling(op: $0), value: value) }
        case .parameters(_, let isNotNull): return isNotNull
        }
    }

    /// Whether the server would read `parameter` as a NULL test: a value that is NULL's own
    /// spelling (`filter[status]=null`, or whatever a dialect table chose) cannot be sent as
    /// a value.
    public func asksForNull(_ parameter: QueryParameter) -> Bool {
        [isNull, isNotNull].contains { template in
            guard let template, parameter.values.joined(separator: ",").lowercased() == template.value.lowercased() else { return false }
            return !template.key.matches(parameter.name, parameter.subscripts).isEmpty
        }
    }
    /// The operator that takes a comma list for IN (`in` in django-filter); nil: IN is local.
    public var inList: String?
    /// `page` or `page[number]`.
    public var pageNumberKey: String
    public var pageSizeKey = "page[size]"
    /// The largest page size the server gives, unless `--max-page-size` says.
    public var maxPageSize: Int?
    /// The server answers JSON:API's `include=rel` with the related resources in `included`
    /// (compound documents). The guide does not mention it, so it is off unless `--include`.
    public var include = false
    /// The server reads `filter[id]=a,b,c` as any of those ids, so a join looks up to 50 ids
    /// a request (`--id-lists`). Off unless said: the guide does not mention lists.
    public var idLists = false
    /// Whether the server orders a collection by `sort=a,-b`, as the guide says, and whether
    /// cbq checks the order it gives (`--server-sort`).
    public var sort = SortMode.checked

    public enum SortMode: String, Sendable, CaseIterable {
        /// ORDER BY is sent as `sort=`, and every row's place in it is checked.
        case checked
        /// ORDER BY is sent as `sort=`, and the server's order taken unchecked: for a server
        /// that sorts by something the rows do not show (an enum's position, a related name).
        case trusted
        /// No `sort=`: ORDER BY runs here, after every page is read.
        case off
    }
    /// Where a collection response keeps its total, unless `--total-path` says.
    public var totalPath = ["meta", "total"]
    /// A page past the end is a 404 (django-filter's "Invalid page."), not an empty page.
    public var pastEndIsNotFound = false
    /// Paths end with `/` (`/people/people/`, `/people/people/PER-1/`), as Django's do.
    public var trailingSlash = false

    /// A path as this server spells it: with or without the trailing slash.
    public func path(_ path: String) -> String { trailingSlash ? path + "/" : path }

    public init(comparisons: ComparisonSpelling = .guide, pageNumber: PageNumberSpelling = .page) {
        operators = comparisons.operators
        pageNumberKey = pageNumber.rawValue
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
        dialect.operatorKey = KeyTemplate("filter[{field}.{op}]")!
        dialect.like = .lookups(Dictionary(uniqueKeysWithValues: LikeLookup.allCases.map { ($0, $0.rawValue) }))
        dialect.null = .parameters(isNull: ParameterTemplate("filter[{field}.isnull]=true"),
                                   isNotNull: ParameterTemplate("filter[{field}.isnull]=false"))
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
        if op == .like, case .pattern(let name) = like { return name }
        return operators[op]
    }

    /// Whether the API can be asked for `op` at all (django-filter has no not-equal, and its
    /// LIKE is a set of lookups).
    public func supports(_ op: FilterOperator) -> Bool { op == .equal || filterName(op) != nil }

    /// The operator a filter subscript names in this dialect (the inverse of ``filterName(_:)``).
    public func filterOperator(named name: String?) -> FilterOperator? {
        guard let name else { return .equal }
        return FilterOperator.allCases.first { $0 != .equal && filterName($0) == name }
    }

    public func filterParameter(_ field: String, _ op: FilterOperator, _ value: String) -> QueryParameter {
        guard op != .equal else { return equalKey.parameter(field: field, values: [value]) }
        guard let name = filterName(op) else { preconditionFailure("\(op) is not a filter of this dialect: ask supports(_:) first") }
        return lookupParameter(field, name, value)
    }

    /// `filter[f][lookup]=v` or `filter[f.lookup]=v`: the operator key with a name.
    public func lookupParameter(_ field: String, _ lookup: String, _ value: String) -> QueryParameter {
        operatorKey.parameter(field: field, op: lookup, values: [value])
    }

    public func pageNumberParameter(_ page: Int) -> QueryParameter {
        let (name, subscripts) = KeyTemplate.split(pageNumberKey) ?? ("page", [])
        return QueryParameter(name, subscripts, value: String(page))
    }

    public func pageSizeParameter(_ size: Int) -> QueryParameter {
        let (name, subscripts) = KeyTemplate.split(pageSizeKey) ?? ("page", ["size"])
        return QueryParameter(name, subscripts, value: String(size))
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

    /// The LIKE pattern the lookup of `value` means (the sandbox's reading): the value is
    /// literal, its `%`, `_` and `\` escaped.
    public func pattern(_ value: String) -> String {
        var escaped = ""
        for character in value {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        let value = escaped
        switch self {
        case .iexact: return value
        case .icontains: return "%" + value + "%"
        case .istartswith: return value + "%"
        case .iendswith: return "%" + value
        }
    }
}
