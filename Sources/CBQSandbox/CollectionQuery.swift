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

    init(query: String, endpoint: SandboxData.Endpoint, attributes: Set<String>, options: SandboxOptions) throws(APIError) {
        pageSize = options.defaultPageSize
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
        switch (name, subscripts.count) {
        case ("filter", 1), ("filter", 2):
            var field = subscripts[0]
            var lookup = subscripts.count == 2 ? subscripts[1] : nil
            if dialect.filterKeys == .dotted {
                guard subscripts.count == 1 else { throw APIError.badParameter(key, "this API spells filters filter[field.lookup]") }
                if let dot = field.lastIndex(of: ".") {
                    lookup = String(field[field.index(after: dot)...])
                    field = String(field[..<dot])
                }
            }
            try checkField(field)
            if let lookup, let condition = try Self.lookupCondition(lookup, value: value, key: key, dialect: dialect) {
                filters.append(Filter(field: field, condition: condition, parameter: QueryParameter(name, subscripts, value: value)))
                return
            }
            guard let op = dialect.filterOperator(named: lookup) else {
                var known = FilterOperator.allCases.filter(dialect.supports).compactMap(dialect.filterName)
                if dialect.like == .lookups { known += LikeLookup.allCases.map(\.rawValue) }
                if let inList = dialect.inList { known.append(inList) }
                if dialect.null == .isnull { known.append("isnull") }
                throw APIError.badParameter(key, "unknown filter operator '\(lookup ?? "")'; this API knows \(known.joined(separator: ", "))")
            }
            let condition: Condition
            if value == "null", dialect.null == .value {
                switch op {
                case .equal: condition = .isNull
                case .notEqual: condition = .isNotNull
                default: throw APIError.badParameter(key, "null can only be tested for equality: filter[\(field)]=null or filter[\(field)][neq]=null")
                }
            } else if field == "id", op == .equal, options.acceptsIDLists, value.contains(",") {
                condition = .anyOf(Set(value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
            } else {
                condition = ComparisonOperator(op).map { .compare($0, value) } ?? .like(LikePattern(value))
            }
            filters.append(Filter(field: field, condition: condition, parameter: QueryParameter(name, subscripts, value: value)))
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
        case ("page", 1) where subscripts[0] == "size":
            guard let size = Int(value), size >= 1 else {
                throw APIError.badParameter(key, "page[size] must be a whole number from 1 to \(options.maxPageSize), not '\(value)'")
            }
            if size > options.maxPageSize && !options.clampPageSize {
                throw APIError.badParameter(key, "page[size] must be at most \(options.maxPageSize), not \(size)")
            }
            pageSize = min(size, options.maxPageSize)
        case ("page", 0) where dialect.pageNumber == .page, ("page", 1) where dialect.pageNumber == .pageNumber && subscripts[0] == "number":
            guard let number = Int(value), number >= 1 else {
                throw APIError.badParameter(key, "\(key) must be a page number from 1, not '\(value)'")
            }
            pageNumber = number
        case ("page", _):
            let expected = dialect.pageNumber == .page ? "page=N and page[size]=M" : "page[number]=N and page[size]=M"
            throw APIError.badParameter(key, "unknown paging parameter '\(key)'; this API pages with \(expected)")
        default:
            throw APIError.badParameter(key, "unknown query parameter '\(key)'; this API knows filter, sort, page, fields and include")
        }
    }

    /// django-filter's lookups that are no comparison: `isnull`, `in`, the LIKE lookups.
    private static func lookupCondition(_ lookup: String, value: String, key: String, dialect: Dialect) throws(APIError) -> Condition? {
        if dialect.null == .isnull, lookup == "isnull" {
            switch value {
            case "true", "True", "1": return .isNull
            case "false", "False", "0": return .isNotNull
            default: throw APIError.badParameter(key, "isnull takes true or false, not '\(value)'")
            }
        }
        if let inList = dialect.inList, lookup == inList {
            return .anyOf(Set(value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
        }
        if dialect.like == .lookups, let like = LikeLookup(rawValue: lookup) { return .like(LikePattern(like.pattern(value))) }
        return nil
    }

    /// `filter[a][b]` → ("filter", ["a", "b"]); nil when brackets do not balance.
    static func split(_ key: String) -> (String, [String])? {
        guard let open = key.firstIndex(of: "[") else { return key.contains("]") ? nil : (key, []) }
        let name = String(key[..<open])
        var subscripts: [String] = []
        var rest = key[open...]
        while !rest.isEmpty {
            guard rest.first == "[", let close = rest.firstIndex(of: "]") else { return nil }
            let inner = rest[rest.index(after: rest.startIndex)..<close]
            if inner.contains("[") { return nil }
            subscripts.append(String(inner))
            rest = rest[rest.index(after: close)...]
        }
        return name.isEmpty ? nil : (name, subscripts)
    }

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
            case .anyOf(let ids): guard let text = value.scalarText, ids.contains(text) else { return false }
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
                case (true, false): comparison = 1
                case (false, true): comparison = -1
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
