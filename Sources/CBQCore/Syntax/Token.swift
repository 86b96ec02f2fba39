/// A lexical token: its kind, the byte range it covers, and its value (see ``value``): the
/// unquoted, unescaped text for names and strings, the spelling for numbers and keywords.
public struct Token: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case identifier        // last_name, "Last Name" (value holds the unquoted name)
        case keyword(Keyword)  // SELECT, from (case-insensitive)
        case string            // 'Doe' (value holds the unescaped text)
        case number            // 42, 1.50, 2e3 (value holds the spelling; a sign is an operator)
        case parameter         // :name (value holds the name)
        case symbol(Symbol)
        case end
    }

    public var kind: Kind
    public var range: SourceRange
    /// The token's value: the unquoted identifier, the unescaped string, the number's spelling,
    /// the parameter's name, the keyword's spelling as written.
    public var value: String

    public init(_ kind: Kind, _ range: SourceRange, _ value: String) {
        self.kind = kind
        self.range = range
        self.value = value
    }
}

/// Punctuation and operators, spelled as in the source.
public enum Symbol: String, Hashable, Sendable, CaseIterable {
    case comma = ","
    case dot = "."
    case semicolon = ";"
    case leftParen = "("
    case rightParen = ")"
    case star = "*"
    case equal = "="
    case notEqual = "!="
    case notEqualSQL = "<>"
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case plus = "+"
    case minus = "-"
    case slash = "/"
    case percent = "%"
    case concatenate = "||"
    /// PostgreSQL's cast: `'2025-01-01'::date`.
    case cast = "::"
}

/// Reserved words. Function names (`COUNT`, `lower`, `CAST`, `extract`) are not: they are
/// recognised only before `(`, so a column may be called `count`. `INTERVAL`, `NULLS FIRST`,
/// `ANALYZE` and `current_date` are recognised only where they can stand.
public enum Keyword: String, Hashable, Sendable, CaseIterable {
    case select = "SELECT", from = "FROM", `where` = "WHERE", order = "ORDER", by = "BY"
    case asc = "ASC", desc = "DESC", limit = "LIMIT", offset = "OFFSET", `as` = "AS"
    case and = "AND", or = "OR", not = "NOT", like = "LIKE", `is` = "IS", null = "NULL"
    case `in` = "IN", between = "BETWEEN", `true` = "TRUE", `false` = "FALSE", explain = "EXPLAIN"
    case distinct = "DISTINCT", group = "GROUP", having = "HAVING"
    case `case` = "CASE", when = "WHEN", then = "THEN", `else` = "ELSE", end = "END"
    case join = "JOIN", inner = "INNER", left = "LEFT", outer = "OUTER", on = "ON", exists = "EXISTS"

    private static let byName: [String: Keyword] = Dictionary(
        uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })

    /// The keyword a word spells, case-insensitively.
    public init?(word: some StringProtocol) {
        guard word.utf8.count <= 8, let keyword = Keyword.byName[word.uppercased()] else { return nil }
        self = keyword
    }
}

extension Token.Kind: CustomStringConvertible {
    /// How an error message names a token kind: "a string", "'FROM'", "end of input".
    public var description: String {
        switch self {
        case .identifier: return "a name"
        case .keyword(let keyword): return "'\(keyword.rawValue)'"
        case .string: return "a string"
        case .number: return "a number"
        case .parameter: return "a parameter"
        case .symbol(let symbol): return "'\(symbol.rawValue)'"
        case .end: return "end of input"
        }
    }
}
