/// The planner's messages: statements that parse but cannot be planned (see
/// `Diagnostic+Catalogue.swift` for the style).
extension Diagnostic {
    /// An empty answer to a constant spelt otherwise than its column's type writes it, where the
    /// type's own spelling finds rows: the API read the text otherwise than cbq does.
    public static func constantSpeltOtherwise(_ text: String, as read: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "the API matched no row to \(text), but rows to \(read), which is what cbq reads it as", at: range,
                   label: "the API read the constant otherwise", hint: "write \(read)")
    }

    /// A constant compared with a column the catalog saw holding another type: `archived = 1`,
    /// `max_capacity > '2O'`, `created_at < '2025-1-1'`.
    static func notOfColumnType(_ literal: Literal, column: String, type: ColumnType, at range: SourceRange) -> Diagnostic {
        let shown: String
        switch literal {
        case .string(let text): shown = "'\(text)'"
        case .number(let spelling): shown = spelling
        case .boolean(let flag): shown = flag ? "TRUE" : "FALSE"
        case .null: shown = "NULL"
        }
        let hint: String
        switch type {
        case .timestamp: hint = "write a date or a time, e.g. '2025-01-29', '2025-01-29 23:59:59' or '2025-01-29T23:59:59Z' (UTC unless it has an offset)"
        case .date: hint = "write a date as YYYY-MM-DD, e.g. '2025-01-29'"
        case .number: hint = "write a number, e.g. \(column) > 20"
        case .boolean: hint = "write TRUE or FALSE, e.g. \(column) = TRUE"
        }
        let article = type == .boolean ? "a boolean" : "a \(type.rawValue)"
        return Diagnostic(.semantic, "\(shown) is not \(article), and \(column) holds \(type == .boolean ? "booleans" : type.rawValue + "s")",
                          at: range, label: "compared with \(column)", hint: hint)
    }

    // MARK: - Planning

    static func expectedSelect(at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "expected a SELECT statement", at: range, hint: "this call plans the requests of one SELECT")
    }

    static func unboundParameter(_ name: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "no value for parameter ':\(name)'", at: range, label: "not bound",
                   hint: "bind it with --var \(name)=VALUE (or \\set \(name) VALUE in the REPL)")
    }

    /// `SELECT COUNT(*) … LIMIT n` or `OFFSET n`; `range` is the clause's count.
    static func countWithLimitOrOffset(at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "LIMIT and OFFSET limit rows, and COUNT(*) returns one row", at: range,
                   hint: "remove them to count every matching row")
    }

    /// `LIMIT :n` (or OFFSET) with `n` bound to something other than a whole number.
    static func invalidCountParameter(_ clause: String, parameter: String, value: Literal, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "\(clause) needs a whole number from 0 to \(CountClause.largest), and :\(parameter) is \(value)",
                   at: range)
    }

    /// `x = NULL`, `x != NULL`, `x < NULL`; `other` is the side that is not NULL, as written.
    static func nullComparison(_ other: String, _ op: ComparisonOperator, at range: SourceRange) -> Diagnostic {
        let fix = op == .equal ? "IS NULL" : op == .notEqual ? "IS NOT NULL" : nil
        return Diagnostic(.semantic, "comparing with NULL is never true", at: range,
                          hint: fix.map { "write \(other) \($0)" } ?? "test for NULL with IS NULL")
    }

    /// `x LIKE NULL`; `value` is `x` as written.
    static func likeNull(_ value: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "LIKE NULL is never true", at: range,
                   hint: "write \(value) IS NULL")
    }

    static func betweenNullBound(at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "a BETWEEN with a NULL bound is never true", at: range)
    }
}
