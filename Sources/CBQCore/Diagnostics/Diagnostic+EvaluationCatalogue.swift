/// The messages of expressions: at plan time when they are constant (folded), else on the
/// row that raised them (see `Diagnostic+Catalogue.swift` for the style).
extension Diagnostic {
    // MARK: - Values

    static func describe(_ value: SQLValue) -> String {
        switch value {
        case .text(let text): return "the text '" + (text.count > 40 ? String(text.prefix(40)) + "…" : text) + "'"
        case .boolean(let flag): return flag ? "TRUE" : "FALSE"
        case .null: return "NULL"
        case .nested: return "a JSON array or object"
        default: return "the number \(value)"
        }
    }

    public static func incomparable(_ a: SQLValue, _ b: SQLValue, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "\(describe(a)) and \(describe(b)) do not compare", at: range, label: "in this comparison",
                   hint: "CAST one side to the other's type; a boolean compares with TRUE or FALSE")
    }

    /// Text that spells a number, against a number, where text order and number order differ.
    static func textOrNumber(_ text: SQLValue, _ number: SQLValue, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "\(describe(text)) and \(describe(number)) compare one way as text and another as numbers", at: range,
                   label: "in this comparison",
                   hint: "quote the number to compare text, or CAST the text AS DECIMAL to compare numbers")
    }

    static func integerOverflow(at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "integer overflow", at: range, label: "the result does not fit in 64 bits",
                   hint: "CAST an operand AS DOUBLE to compute with doubles (not exact)")
    }

    /// `x = 10.0000000000000000001`: a number cbq would hold as a double, so rounded.
    static func inexactNumber(_ spelling: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "\(spelling) has more digits than cbq holds exactly", at: range,
                   label: "exact numbers are 64-bit integers and decimals of 18 digits",
                   hint: "write fewer digits, or an exponent (1.5e30) for a double, which rounds")
    }

    static func decimalOverflow(at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "decimal overflow", at: range, label: "the exact result does not fit in 18 digits",
                   hint: "CAST an operand AS DOUBLE to compute with doubles (not exact)")
    }

    static func floatOverflow(at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "the result is beyond a double's range", at: range, label: "overflow",
                   hint: "scale the operands down (divide first), as PostgreSQL's 'value out of range' asks")
    }

    static func divisionByZero(at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "division by zero", at: range, hint: "guard the divisor: x / nullif(y, 0) is NULL when y is 0")
    }

    static func notANumber(_ value: SQLValue, op: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "'\(op)' needs numbers, and this is \(describe(value))", at: range,
                   hint: op == "+" ? "join text with ||" : nil)
    }

    static func cannotCast(_ value: SQLValue, to type: SQLType, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "cannot CAST \(describe(value)) AS \(type.rawValue)", at: range)
    }

    static func timestampSubtraction(at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "only dates subtract to a number of days", at: range,
                   hint: "subtract date(a) - date(b), or extract(epoch FROM …) for seconds")
    }

    static func notATimestamp(_ value: SQLValue, function: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "\(function) needs a date or timestamp, and this is \(describe(value))", at: range,
                   hint: "dates are ISO 8601 text: '2025-03-04' or '2025-03-04T10:15:00Z'")
    }

    static func dateOutOfRange(at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "the date falls outside the years 1 to 9999", at: range)
    }

    static func misplacedInterval(at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "an INTERVAL can only be added to or subtracted from a date or timestamp", at: range,
                   hint: "e.g. now() - INTERVAL '30 days'")
    }

    static func aggregateOfNonNumber(_ kind: AggregateKind, _ value: SQLValue, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "\(kind.rawValue.uppercased()) needs numbers, and a row has \(describe(value))", at: range)
    }

    // MARK: - Functions

    static func unknownFunction(_ name: String, among names: [String], at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "unknown function '\(name)'", at: range,
                   hint: Suggestion.closest(to: name, among: names).map(didYouMean)
                       ?? "the README lists the functions cbq has")
    }

    static func wrongArgumentCount(_ name: String, expected: ClosedRange<Int>, found: Int, at range: SourceRange) -> Diagnostic {
        let wanted = expected.count == 1 ? "\(expected.lowerBound)" : expected.upperBound >= 100
            ? "at least \(expected.lowerBound)" : "\(expected.lowerBound) or \(expected.upperBound)"
        return Diagnostic(.semantic, "\(name) takes \(wanted) argument\(expected.upperBound == 1 ? "" : "s"), not \(found)", at: range)
    }

    static func functionArgument(_ name: String, _ problem: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "\(name): \(problem)", at: range)
    }

    static func starOrDistinctInScalar(_ name: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "only aggregates take * or DISTINCT, and \(name) is not one", at: range,
                   hint: "the aggregates are COUNT, SUM, AVG, MIN and MAX")
    }

    // MARK: - Aggregates and grouping

    static func misplacedAggregate(_ kind: AggregateKind, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "\(kind.rawValue.uppercased()) is an aggregate and cannot stand here", at: range,
                   hint: "aggregates go in the select list, HAVING and ORDER BY; filter groups with HAVING")
    }

    static func aggregateIn(_ clause: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "aggregates are not allowed in \(clause)", at: range,
                   hint: clause == "WHERE" ? "filter groups with HAVING" : nil)
    }

    static func nestedAggregate(at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "an aggregate cannot contain another aggregate", at: range)
    }

    static func starArgument(_ name: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "only COUNT takes *", at: range, hint: "write \(name)(column)")
    }

    /// A bare column beside aggregates, or not in GROUP BY.
    public static func notGrouped(_ column: Identifier) -> Diagnostic {
        let written = Expression.column(column).description
        return Diagnostic(.semantic, "column '\(written)' must appear in GROUP BY or be used in an aggregate", at: column.range,
                          hint: "add it to GROUP BY, or wrap it: MIN(\(written))")
    }

    /// A column a later stage has no value for (a planner bug if it ever shows).
    public static func unknownColumnSlot(_ column: Identifier) -> Diagnostic {
        Diagnostic(.semantic, "column '\(column.name)' is not available here", at: column.range)
    }

    static func ordinalOutOfRange(_ clause: String, _ ordinal: String, count: Int, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "\(clause) position \(ordinal) is not in the select list", at: range,
                   label: "the select list has \(count) column\(count == 1 ? "" : "s")")
    }

    static func distinctOrderNotSelected(at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "with SELECT DISTINCT, ORDER BY expressions must appear in the select list", at: range,
                   hint: "add it to the select list, or sort by a column you select")
    }

    static func groupByStar(at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "SELECT * cannot be grouped or aggregated", at: range,
                   hint: "name the group keys and aggregates: SELECT county, COUNT(*) … GROUP BY county")
    }

    /// After the first page: a GROUP BY name that is both a select-list alias and a column.
    public static func ambiguousGroupAlias(_ name: Identifier, endpoint: String) -> Diagnostic {
        Diagnostic(.semantic, "GROUP BY \(name.name) is ambiguous: it is a column of \(endpoint) and an alias in the select list",
                   at: name.range, hint: "group by position (GROUP BY 1) or by the expression itself")
    }

    /// After the first page: no row has this column.
    public static func unknownColumn(_ column: Identifier, endpoint: String, seen: [String]) -> Diagnostic {
        // `"Doe"` is a name in SQL; psql users who meant the text get told so.
        let doubleQuoted = column.table == nil && column.range.end - column.range.start == column.name.utf8.count + 2
        return Diagnostic(.semantic, "column '\(column.name)' does not exist in \(endpoint)", at: column.range,
                          label: "no row of the first page has it",
                          hint: Suggestion.closest(to: column.name, among: seen).map(didYouMean)
                              ?? (doubleQuoted ? "double quotes make a column name; for the text, write '\(column.name.replacing("'", with: "''"))'"
                                               : "SELECT * FROM \(endpoint) LIMIT 1 shows its columns"))
    }

    /// Before sending: the catalog knows the endpoint's columns, and this one is a misspelling
    /// of one of them.
    public static func unknownCatalogColumn(_ column: Identifier, endpoint: String, near: String, known: Int) -> Diagnostic {
        Diagnostic(.semantic, "column '\(column.name)' does not exist in \(endpoint)", at: column.range,
                   label: "not among its \(known) columns (\\d \(endpoint) lists them)",
                   hint: didYouMean(near) + " (\\refresh \(endpoint) if the API has added '\(column.name)' since)")
    }

    /// A subquery outside WHERE (in the select list, ORDER BY, an ON condition).
    static func misplacedSubquery(at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "cbq runs a subquery only in WHERE (IN (SELECT …) or EXISTS (SELECT …))", at: range,
                   hint: "move it to WHERE, or JOIN the other endpoint")
    }

    // MARK: - Joins and subqueries

    static func duplicateTableName(_ name: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "table name '\(name)' is used twice in FROM", at: range,
                   hint: "give each an alias: FROM people.people a JOIN people.people b ON …")
    }

    static func unknownTable(_ name: String, among names: [String], at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "no table named '\(name)' in FROM", at: range,
                   label: "FROM names " + names.map { "'\($0)'" }.joined(separator: ", "),
                   hint: Suggestion.closest(to: name, among: names).map(didYouMean)
                       ?? "qualify columns by a table's alias, or by its endpoint's name when it has none")
    }

    static func laterTableInOn(_ table: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "an ON condition can name only the tables joined before it, not '\(table)'", at: range,
                   hint: "move it to the ON of the join that brings \(table) in, or to WHERE")
    }

    static func misplacedTableStar(_ table: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "'\(table).*' stands only in the select list", at: range, hint: "name a column: \(table).id")
    }

    /// After the rows: an unqualified column that several sides have.
    public static func ambiguousColumn(_ column: Identifier, tables: [String]) -> Diagnostic {
        Diagnostic(.semantic, "column '\(column.name)' is ambiguous: " + tables.map { "'\($0)'" }.joined(separator: " and ") + " both have it",
                   at: column.range, hint: "qualify it: " + tables.map { "\($0).\(quoteIdentifierIfNeeded(column.name))" }.joined(separator: " or "))
    }

    /// After the rows: an unqualified column that no side has.
    public static func unresolvedColumn(_ column: Identifier, tables: [String], emptyTables: [String], seen: [String]) -> Diagnostic {
        let label = emptyTables.isEmpty ? "no row of " + tables.joined(separator: " or ") + " has it"
            : "no row of the others has it, and " + emptyTables.joined(separator: ", ") + " returned no rows to tell"
        return Diagnostic(.semantic, "column '\(column.name)' is not a column of " + tables.map { "'\($0)'" }.joined(separator: " or "),
                          at: column.range, label: label,
                          hint: Suggestion.closest(to: column.name, among: seen).map(didYouMean) ?? "qualify it by its table: x.\(column.name)")
    }

    static func notSingleEndpoint(at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "this statement reads several endpoints or runs subqueries: plan it as a statement", at: range)
    }

    static func subqueryColumns(at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "a subquery after IN must select exactly one column", at: range,
                   hint: "e.g. id IN (SELECT person_id FROM cases.cases WHERE status = 'open')")
    }

    static func correlatedIn(at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "an IN subquery cannot read the outer query's columns", at: range,
                   hint: "write EXISTS (SELECT … WHERE inner_column = outer.column), or JOIN")
    }

    static func unsupportedCorrelation(at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "cbq correlates an EXISTS subquery by one equality in its WHERE: inner_column = outer.column", at: range,
                   hint: "keep one such equality; move other conditions on the outer query out of the subquery")
    }

    static func correlatedExistsShape(at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "a correlated EXISTS with GROUP BY, HAVING, an aggregate, LIMIT or OFFSET is not supported", at: range,
                   hint: "write outer.column IN (SELECT inner_column … GROUP BY inner_column HAVING …)")
    }
}
