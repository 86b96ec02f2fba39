import CBQCore

/// A collection request's query string, parsed and checked the way the guide defines it:
/// `filter[f]=v`, `filter[f][op]=v`, `sort=a,-b`, `page=N` (or `page[number]=N`), `page[size]=M`,
/// `fields[type]=a,b`. Brackets may be raw or percent-encoded; values are form-decoded.
struct CollectionQuery {
    enum Condition {
        case compare(ComparisonOperator, String)
        case like(LikePattern)
        case isNull
        case isNotNull
        /// `filter[id]=a,b,c` where lists are accepted.
        case anyOf(Set<String>)

        var isEquality: Bool { if case .compare(.equal, _) = self { true } else { false } }
    }

    struct Filter {
        var field: String
        var condition: Condition
        var parameter: QueryParameter
    }

    var filters: [Filter] = []
    var sort: [(field: String, descending: Bool)] = []
    var sortParameter: QueryParameter?
    var fields: [String]?
    var fieldsParameter: QueryParameter?
    var pageSize: Int
    var pageNumber = 1
    /// `include=a,b`: to-one relationships whose resources the document carries in `included`.
    var include: [String] = []
    /// NULL is the smallest value: first ascending, last descending (``SandboxOptions/nullsSortLow``).
    var nullsSortLow = false

    init(query: String, endpoint: SandboxData.Endpoint, attributes: Set<String>, options: SandboxOptions) throws(APIError) {
        pageSize = options.defaultPageSize
        nullsSortLow = options.nullsSortLow
        var seen: Set<String> = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let equals = pair.firstIndex(of: "=")
            let rawKey = equals.map { pair[..<$0] } ?? pair
            let rawValue = equals.map { pair[pair.index(after: $0)...] } ?? ""
            guard let key = PercentEncoding.decode(rawKey, plusIsSpace: true),
                  let value = PercentEncoding.decode(rawValue, plusIsSpace: true)
            else { throw APIError.badParameter(String(rawKey), "the parameter is not valid percent-encoded UTF-8") }
            guard seen.insert(key).inserted else { throw APIError.badParameter(key, "'\(key)' is given more than once") }
            guard let (name, subscripts) = Self.split(key) else {
                throw APIError.badParameter(key, "'\(key)' is not a parameter name (unbalanced brackets)")
            }
            try apply(name: name, subscripts: subscripts, key: key, value: value, endpoint: endpoint, attributes: attributes, options: options)
        }
    }

    private mutating func apply(name: String, subscripts: [String], key: String, value: String,
                                endpoint: SandboxData.Endpoint, attributes: Set<String>, options: SandboxOptions) throws(APIError) {
        let dialect = options.dialect
        let relationships = SandboxData.relationships(of: endpoint)
        func checkField(_ field: String, relationship allowed: Bool = true) throws(APIError) {
            if allowed, relationships.contains(where: { $0.name == field && $0.attribute != nil }) { return }
            guard field == "id" || attributes.contains(field) else {
                throw APIError.badParameter(key, "'\(field)' is not an attribute of \(endpoint.type); it has id, \(attributes.sorted().joined(separator: ", "))")
            }
        }
        if key == dialect.pageNumberKey {
            guard let number = Int(value), number >= 1 else {
                throw APIError.badParameter(key, "\(key) must be a page number from 1, not '\(value)'")
            }
            pageNumber = number
            return
        }
        if key == dialect.pageSizeKey {
            guard let size = Int(value), size >= 1 else {
                throw APIError.badParameter(key, "\(key) must be a whole number from 1 to \(options.maxPageSize), not '\(value)'")
            }
            if size > options.maxPageSize && !options.clampPageSize {
                throw APIError.badParameter(key, "\(key) must be at most \(options.maxPageSize), not \(size)")
            }
            pageSize = min(size, options.maxPageSize)
            return
        }
        let isField = { (field: String) in
            field == "id" || attributes.contains(field) || relationships.contains { $0.name == field && $0.attribute != nil }
        }
        if let (field, condition) = try Self.filter(name: name, subscripts: subscripts, key: key, value: value, dialect: dialect,
                                                    isField: isField, checkField: { (field) throws(APIError) in try checkField(field) }) {
            try checkField(field)
            let condition = field == "id" && options.acceptsIDLists && value.contains(",") && condition.isEquality
                ? .anyOf(Set(value.split(separator: ",", omittingEmptySubsequences: false).map(String.init))) : condition
            filters.append(Filter(field: field, condition: condition, parameter: QueryParameter(name, subscripts, value: value)))
            return
        }
        switch (name, subscripts.count) {
        case ("sort", 0):
            let keys = value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            for key in keys {
                let descending = key.hasPrefix("-")
                let field = descending ? String(key.dropFirst()) : key
                guard !field.isEmpty else { throw APIError.badParameter("sort", "'sort' has an empty field name") }
                try checkField(field)
                sort.append((field, descending))
            }
            sortParameter = QueryParameter("sort", values: keys)
        case ("fields", 1):
            guard subscripts[0] == endpoint.type else {
                throw APIError.badParameter(key, "this endpoint's type is '\(endpoint.type)', not '\(subscripts[0])'")
            }
            let names = value.split(separator: ",").map(String.init)
            for name in names where !relationships.contains(where: { $0.name == name }) { try checkField(name) }
            fields = names
            fieldsParameter = QueryParameter(name, subscripts, values: names)
        case ("include", 0):
            guard options.supportsInclude else {
                throw APIError.badParameter(key, "this server does not support 'include' (started with --no-include)")
            }
            include = value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        case ("page", _):
            throw APIError.badParameter(key, "unknown paging parameter '\(key)'; this API pages with \(dialect.pageNumberKey)=N and \(dialect.pageSizeKey)=M")
        case ("filter", _):
            throw APIError.badParameter(key, "unknown filter '\(key)'; this API spells filters \(dialect.equalKey) and \(dialect.operatorKey)")
        default:
            throw APIError.badParameter(key, "unknown query parameter '\(key)'; this API knows filter, sort, page, fields and include")
        }
    }

    /// The field and condition a filter parameter names in `dialect`, nil when it is no filter
    /// of the dialect's. NULL's spellings are tried first (`filter[f]=null` is the guide's IS
    /// NULL), then the operator key with a known operator (`filter[f.gte]` must not read as a
    /// field `f.gte`), then equality on a field `isField` knows; `checkField` explains a field
    /// that is not one.
    static func filter(name: String, subscripts: [String], key: String, value: String, dialect: Dialect,
                       isField: (String) -> Bool, checkField: (String) throws(APIError) -> Void) throws(APIError) -> (String, Condition)? {
        var nullValues: [String] = []
        for (template, condition) in [(dialect.isNull, Condition.isNull), (dialect.isNotNull, .isNotNull)] {
            guard let template else { continue }
            for match in template.key.matches(name, subscripts) {
                guard let field = match.field else { continue }
                if value == template.value { return (field, condition) }
                // A key of its own (`filter[f.isnull]`) takes only its values; the guide's keys
                // are equality's and not-equal's, which take any other value.
                if template.key != dialect.equalKey,
                   dialect.operatorKey.matches(name, subscripts).allSatisfy({ dialect.filterOperator(named: $0.op) == nil }) {
                    nullValues.append(template.value)
                }
            }
        }
        if !nullValues.isEmpty {
            throw APIError.badParameter(key, "\(key) takes \(nullValues.joined(separator: " or ")), not '\(value)'")
        }
        let operatorMatches = dialect.operatorKey.matches(name, subscripts)
        for match in operatorMatches {
            guard let field = match.field, let op = match.op else { continue }
            if let inList = dialect.inList, op == inList {
                return (field, .anyOf(Set(value.split(separator: ",", omittingEmptySubsequences: false).map(String.init))))
            }
            if case .lookups(let names) = dialect.like, let lookup = names.first(where: { $0.value == op })?.key {
                return (field, .like(LikePattern(lookup.pattern(value))))
            }
            if let filter = dialect.filterOperator(named: op), filter != .equal {
                if case .value(let null) = dialect.null, value == null, let isNull = dialect.isNull, let isNotNull = dialect.isNotNull {
                    throw APIError.badParameter(key, "null can only be tested for equality: \(isNull.parameter(field: field)) or \(isNotNull.parameter(field: field))")
                }
                return (field, ComparisonOperator(filter).map { .compare($0, value) } ?? .like(LikePattern(value)))
            }
        }
        let equalMatches = dialect.equalKey.matches(name, subscripts).compactMap(\.field)
        if let field = equalMatches.first(where: isField) { return (field, .compare(.equal, value)) }
        if let match = operatorMatches.first, let field = match.field {
            try checkField(field)
            var known = FilterOperator.allCases.compactMap(dialect.filterName)
            if case .lookups(let names) = dialect.like { known += LikeLookup.allCases.compactMap { names[$0] } }
            if let inList = dialect.inList { known.append(inList) }
            throw APIError.badParameter(key, "unknown filter operator '\(match.op ?? "")'; this API knows \(known.joined(separator: ", "))")
        }
        return equalMatches.first.map { ($0, .compare(.equal, value)) }
    }

    /// The fields a parameter's key may filter in `dialect` (for `--ignore-filter`).
    static func fields(filteredBy key: String, dialect: Dialect) -> Set<String> {
        guard let (name, subscripts) = split(key) else { return [] }
        let templates = [dialect.equalKey, dialect.operatorKey] + [dialect.isNull, dialect.isNotNull].compactMap { $0?.key }
        return Set(templates.flatMap { $0.matches(name, subscripts).compactMap(\.field) })
    }

    /// `filter[a][b]` → ("filter", ["a", "b"]); nil when brackets do not balance.
    static func split(_ key: String) -> (String, [String])? { Dialect.KeyTemplate.split(key) }

    // MARK: - Applying

    /// Where each field sits in a resource's attributes (every resource of an endpoint lists
    /// them in the same order); -1 for `id`. Resolved once per request, not once per row.
    struct Positions {
        var filters: [Int]
        var conditions: [Condition]
        var sort: [Int]
    }

    /// A to-one relationship filters and sorts as the attribute that holds its id.
    func positions(in attributeNames: [String], relationships: [SandboxData.Relationship] = []) -> Positions {
        func position(_ field: String) -> Int {
            let name = relationships.first { $0.name == field }?.attribute ?? field
            return name == "id" ? -1 : attributeNames.firstIndex(of: name) ?? -1
        }
        return Positions(filters: filters.map { position($0.field) }, conditions: filters.map(\.condition),
                         sort: sort.map { position($0.field) })
    }

    static func value(_ resource: Resource, at position: Int) -> JSONValue {
        position < 0 ? .string(resource.id) : resource.attributes[position].value
    }

    func matches(_ resource: Resource, _ positions: Positions) -> Bool {
        for index in positions.conditions.indices {
            let value = Self.value(resource, at: positions.filters[index])
            switch positions.conditions[index] {
            case .isNull: if !value.isNull { return false }
            case .isNotNull: if value.isNull { return false }
            case .anyOf(let items):
                // Each item read as the attribute's type, as `=` reads its value: 20.0 is 20,
                // FALSE is false, a time with an offset is its instant.
                guard let text = value.scalarText,
                      items.contains(text) || items.contains(where: { ValueSemantics.compare(value, toText: $0) == 0 })
                else { return false }
            case .like(let pattern):
                guard let text = value.scalarText, pattern.matches(text) else { return false }
            case .compare(let comparison, let text):
                guard let order = ValueSemantics.compare(value, toText: text), ValueSemantics.satisfies(order, comparison)
                else { return false }
            }
        }
        return true
    }

    /// Orders rows by the sort keys, NULLs last (first when descending, as PostgreSQL does),
    /// then by id, so every page boundary is stable. Keys are read once per row, not per
    /// comparison.
    func sort(_ rows: inout [Int], in resources: [Resource], _ positions: Positions) {
        guard !sort.isEmpty else { return }  // stored in id order already
        let keys = rows.map { row in positions.sort.map { Self.value(resources[row], at: $0) } }
        var order = Array(rows.indices)
        order.sort { a, b in
            for (index, key) in sort.enumerated() {
                let left = keys[a][index], right = keys[b][index]
                let comparison: Int
                switch (left.isNull, right.isNull) {
                case (true, true): comparison = 0
                case (true, false): comparison = nullsSortLow ? -1 : 1
                case (false, true): comparison = nullsSortLow ? 1 : -1
                case (false, false): comparison = ValueSemantics.compare(left, right) ?? 0
                }
                if comparison != 0 { return key.descending ? comparison > 0 : comparison < 0 }
            }
            return rows[a] < rows[b]  // id order
        }
        rows = order.map { rows[$0] }
    }

    /// The query of another page of the same request, for `links`: the canonical spelling, with
    /// brackets percent-encoded.
    func query(page: Int, dialect: Dialect) -> String {
        var parameters = filters.map(\.parameter)
        if let sortParameter { parameters.append(sortParameter) }
        if let fieldsParameter { parameters.append(fieldsParameter) }
        if !include.isEmpty { parameters.append(QueryParameter("include", values: include)) }
        parameters.append(dialect.pageSizeParameter(pageSize))
        parameters.append(dialect.pageNumberParameter(page))
        return parameters.map { $0.formatted(.wire) }.joined(separator: "&")
    }
}
