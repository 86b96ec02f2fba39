import CBQCore
import Synchronization
import TOMLKit

/// A dialect defined in config.toml, as `[profiles.NAME.dialect]`:
///
///     [profiles.mydrf.dialect]
///     preset = "drf"                      # optional: start from a preset's spellings
///     equal = "filter[{field}]"
///     operator = "filter[{field}.{op}]"
///     operators = { gt = "gt", ge = "gte", lt = "lt", le = "lte" }
///     like = { exact = "iexact", contains = "icontains" }
///     in = "in"
///     null = "filter[{field}.isnull]=true"
///     not_null = "filter[{field}.isnull]=false"
///     page_number = "page[number]"
///     page_size = "page[size]"
///     max_page_size = 100
///     total = "meta.pagination.count"
///     past_end = "404"
///     trailing_slash = false
///     include = false
///     sort = "checked"
///
/// A key left out keeps the preset's spelling; without a preset, a filter left out is one the
/// server cannot do, and runs locally, so a table never sends a filter its author did not write.
public enum DialectTable {
    /// The keys a dialect table may hold, for errors' did-you-mean.
    public static let keys = ["preset", "equal", "operator", "operators", "like", "in", "null", "not_null", "page_number", "page_size",
                              "max_page_size", "total", "past_end", "trailing_slash", "include", "id_lists", "sort"]
    /// `operators`' keys: the comparisons a server names.
    static let operatorKeys: [(key: String, op: FilterOperator)] = [
        ("ne", .notEqual), ("gt", .greater), ("ge", .greaterOrEqual), ("lt", .less), ("le", .lessOrEqual),
    ]
    /// `like`'s keys, when it is a table: the patterns a lookup expresses.
    static let likeKeys: [(key: String, lookup: LikeLookup)] = [
        ("exact", .iexact), ("contains", .icontains), ("starts_with", .istartswith), ("ends_with", .iendswith),
    ]

    /// What is wrong with one key of a table (the config file finds the key's line).
    public struct Failure: Error {
        public var key: String
        public var message: String
        public var hint: String?
    }

    /// The dialect `table` defines.
    public static func parse(_ table: TOMLTable) throws(Failure) -> Dialect {
        func fail(_ key: String, _ message: String, hint: String? = nil) -> Failure {
            Failure(key: key, message: message, hint: hint)
        }
        func text(_ key: String) throws(Failure) -> String? {
            guard let value = table[key] else { return nil }
            guard let text = value.string, !text.isEmpty else { throw fail(key, "must be a non-empty string") }
            return text
        }
        func flag(_ key: String) throws(Failure) -> Bool? {
            guard let value = table[key] else { return nil }
            guard let flag = value.bool else { throw fail(key, "must be true or false") }
            return flag
        }
        func key(_ name: String, field: Bool, op: Bool, example: String) throws(Failure) -> Dialect.KeyTemplate? {
            guard let spelling = try text(name) else { return nil }
            guard let template = Dialect.KeyTemplate(spelling), template.holdsField == field, template.holdsOperator == op else {
                let holes = [field ? "{field}" : nil, op ? "{op}" : nil].compactMap { $0 }
                throw fail(name, "must be a parameter name with \(holes.isEmpty ? "no holes" : holes.joined(separator: " and ")), like \(example); got '\(spelling)'")
            }
            return template
        }
        func null(_ name: String, example: String) throws(Failure) -> Dialect.ParameterTemplate? {
            guard let spelling = try text(name) else { return nil }
            guard let template = Dialect.ParameterTemplate(spelling), template.key.holdsField, !template.key.holdsOperator else {
                throw fail(name, "must be a whole parameter with a {field} hole, like \(example); got '\(spelling)'")
            }
            return template
        }

        for (key, _) in table where !keys.contains(key) {
            throw Failure(key: key, message: "is not a dialect's key",
                          hint: Suggestion.closest(to: key, among: keys).map { "did you mean '\($0)'?" } ?? "it may hold \(keys.joined(separator: ", "))")
        }
        var dialect: Dialect
        if let preset = try text("preset") {
            guard let named = Dialect.named.first(where: { $0.name == preset }) else {
                throw fail("preset", "names no preset: '\(preset)'", hint: "presets are \(Dialect.named.map(\.name).joined(separator: ", "))")
            }
            dialect = named.dialect
        } else {
            // Nothing but equality until the table says so.
            dialect = Dialect(pageNumber: .pageNumber)
            dialect.operators = [:]
            dialect.like = .local
            dialect.null = .parameters(isNull: nil, isNotNull: nil)
        }
        if let equal = try key("equal", field: true, op: false, example: "filter[{field}]") { dialect.equalKey = equal }
        if let op = try key("operator", field: true, op: true, example: "filter[{field}][{op}]") { dialect.operatorKey = op }
        if let value = table["operators"] {
            guard let names = value.table else { throw fail("operators", "must be a table, like { gt = \"gt\", ge = \"gte\" }") }
            dialect.operators = [:]
            for (name, spelling) in names {
                guard let op = operatorKeys.first(where: { $0.key == name })?.op else {
                    throw fail("operators.\(name)", "is not an operator", hint: "operators are \(operatorKeys.map(\.key).joined(separator: ", "))")
                }
                guard let text = spelling.string, !text.isEmpty else { throw fail("operators.\(name)", "must be a non-empty string") }
                dialect.operators[op] = text
            }
        }
        if let value = table["like"] {
            if let name = value.string, !name.isEmpty {
                dialect.like = .pattern(name)
            } else if let lookups = value.table {
                var names: [LikeLookup: String] = [:]
                for (name, spelling) in lookups {
                    guard let lookup = likeKeys.first(where: { $0.key == name })?.lookup else {
                        throw fail("like.\(name)", "is not a pattern", hint: "a like table maps \(likeKeys.map(\.key).joined(separator: ", ")) to the server's lookups")
                    }
                    guard let text = spelling.string, !text.isEmpty else { throw fail("like.\(name)", "must be a non-empty string") }
                    names[lookup] = text
                }
                dialect.like = names.isEmpty ? .local : .lookups(names)
            } else if value.bool == false {
                dialect.like = .local
            } else {
                throw fail("like", "must be an operator name taking a pattern (\"like\"), a table of lookups ({ contains = \"icontains\" }) or false")
            }
        }
        if let value = table["in"] {
            if value.bool == false { dialect.inList = nil } else { dialect.inList = try text("in") }
        }
        // One of null and not_null given: both are the table's (one left out is local), never
        // half a preset's spelling.
        if table["null"] != nil || table["not_null"] != nil {
            func template(_ name: String, example: String) throws(Failure) -> Dialect.ParameterTemplate? {
                table[name]?.bool == false ? nil : try null(name, example: example)
            }
            dialect.null = .parameters(isNull: try template("null", example: "filter[{field}.isnull]=true"),
                                       isNotNull: try template("not_null", example: "filter[{field}.isnull]=false"))
        }
        // A name means one thing: the server cannot read two operators from one spelling.
        var names: [String: String] = [:]
        var spelled: [(key: String, name: String)] = dialect.operators.sorted { $0.key.rawValue < $1.key.rawValue }.map { ("operators", $0.value) }
        if case .pattern(let name) = dialect.like { spelled.append(("like", name)) }
        if case .lookups(let lookups) = dialect.like { spelled += lookups.sorted { $0.key.rawValue < $1.key.rawValue }.map { ("like", $0.value) } }
        if let inList = dialect.inList { spelled.append(("in", inList)) }
        for (key, name) in spelled {
            if let earlier = names[name] { throw fail(key, "spells '\(name)', which \(earlier) spells too", hint: "give each operator a name of its own") }
            names[name] = key
        }
        if let page = try key("page_number", field: false, op: false, example: "page[number]") { dialect.pageNumberKey = page.description }
        if let size = try key("page_size", field: false, op: false, example: "page[size]") { dialect.pageSizeKey = size.description }
        if dialect.pageNumberKey == dialect.pageSizeKey { throw fail("page_size", "must differ from page_number") }
        if let value = table["max_page_size"] {
            guard let size = value.int, size >= 1 else { throw fail("max_page_size", "must be a whole number from 1") }
            dialect.maxPageSize = size
        }
        if let total = try text("total") {
            let path = total.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard path.count >= 2, path[0] == "meta", !path.contains(where: \.isEmpty) else {
                throw fail("total", "names a member of meta, like meta.total or meta.pagination.count; got '\(total)'")
            }
            dialect.totalPath = path
        }
        if let pastEnd = try text("past_end") {
            switch pastEnd {
            case "404": dialect.pastEndIsNotFound = true
            case "empty": dialect.pastEndIsNotFound = false
            default: throw fail("past_end", "is \"404\" or \"empty\", not '\(pastEnd)'")
            }
        }
        if let slash = try flag("trailing_slash") { dialect.trailingSlash = slash }
        if let include = try flag("include") { dialect.include = include }
        if let lists = try flag("id_lists") { dialect.idLists = lists }
        if let sort = try text("sort") {
            guard let mode = Dialect.SortMode(rawValue: sort) else {
                throw fail("sort", "is \"checked\", \"trusted\" or \"off\", not '\(sort)'")
            }
            dialect.sort = mode
        }
        return dialect
    }
}

/// The dialects config.toml defines, by the name `--dialect` takes (the profile's), so that a
/// profile's options, which are text, can name a table.
public enum DefinedDialects {
    private static let byName = Mutex<[String: Dialect]>([:])

    public static func define(_ name: String, _ dialect: Dialect) { byName.withLock { $0[name] = dialect } }
    public static func named(_ name: String) -> Dialect? { byName.withLock { $0[name] } }
}
