/// The lexer's and the parser's messages (see `Diagnostic+Catalogue.swift` for the style).
extension Diagnostic {
    // MARK: - Lexing

    /// A character no token starts with, with a hint for the usual mix-ups.
    static func unexpectedCharacter(_ character: String, at range: SourceRange) -> Diagnostic {
        let hint: String?
        switch character {
        case "|": hint = "text is joined with ||"
        case "\u{2018}", "\u{2019}": hint = "strings use straight quotes: 'Doe'"
        case "\u{201C}", "\u{201D}": hint = "quoted names use straight double quotes: \"Last Name\""
        case "!": hint = "'not equal' is written != or <>"
        case "`": hint = "quote names with double quotes: \"name\""
        case "[", "]": hint = "write the condition in SQL; cbq builds filter[...] for you"
        default:
            let nonASCII = (character.utf8.first ?? 0) >= 0x80
            hint = nonASCII ? "names with non-ASCII letters must be double-quoted: \"\(character)\"" : nil
        }
        return Diagnostic(.syntax, "unexpected character '\(character)'", at: range, hint: hint)
    }

    /// `range` is the comment's opening `/*`.
    static func unterminatedComment(at range: SourceRange) -> Diagnostic {
        Diagnostic(.incomplete, "unterminated comment", at: range,
                   label: "this comment is never closed", hint: "close it with '*/'")
    }

    /// `range` is the string's opening quote.
    static func unterminatedString(at range: SourceRange) -> Diagnostic {
        unterminated("string", closedBy: "'", at: range)
    }

    /// `range` is the name's opening double quote.
    static func unterminatedQuotedName(at range: SourceRange) -> Diagnostic {
        unterminated("quoted name", closedBy: "\"", at: range)
    }

    private static func unterminated(_ what: String, closedBy quote: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.incomplete, "unterminated \(what)", at: range,
                   label: "this \(what) is never closed",
                   hint: "close it with \(quote); write a quote inside it twice")
    }

    static func emptyQuotedName(at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "a quoted name cannot be empty", at: range)
    }

    /// A `:` with no name after it.
    static func expectedParameterName(at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "expected a parameter name after ':'", at: range,
                   hint: "parameters look like :last_name and are bound with --var last_name=VALUE")
    }

    /// `1st`, `2x`: `text` is the whole run of name characters.
    static func nameStartsWithDigit(_ text: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "a name cannot start with a digit", at: range,
                   hint: "quote it: \"\(text)\"")
    }

    // MARK: - Parsing: statements

    /// The input holds no statement at all.
    static func expectedStatement(at range: SourceRange) -> Diagnostic {
        Diagnostic(.incomplete, "expected a statement", at: range,
                   hint: "e.g. SELECT * FROM people.people LIMIT 10")
    }

    /// One statement was asked for; `range` is the second.
    static func expectedOneStatement(found count: Int, at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "expected one statement, found \(count)", at: range,
                   hint: "run a script to run several statements")
    }

    static func unexpectedTextAfterStatement(at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "unexpected text after the statement", at: range)
    }

    /// A complete statement followed by more: `expected` lists the clauses that may follow.
    /// `startsAnother` when it looks like the start of a second statement without a `;`.
    static func expectedAfterStatement(
        _ expected: String, after context: String, found: String, at range: SourceRange,
        suggestion: String?, startsAnother: Bool
    ) -> Diagnostic {
        let hint = suggestion.map(didYouMean) ?? (startsAnother ? "end the statement with ';' before starting another" : nil)
        return Diagnostic(.syntax, "expected \(expected) after \(context), found \(found)", at: range, hint: hint)
    }

    // MARK: - Parsing: select list and FROM

    static func starWithOtherColumns(at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "'*' cannot be combined with other columns", at: range,
                   hint: "list the columns you want, or use * alone")
    }

    /// `SELECT DISTINCT *`; `range` is the `*`.
    static func distinctStar(at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "DISTINCT * is not supported", at: range,
                   hint: "name the columns to make distinct: SELECT DISTINCT city, state FROM …")
    }

    /// `SELECT DISTINCT ON (a) …`; `range` is `ON`.
    static func distinctOn(at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "DISTINCT ON is not supported", at: range,
                   hint: "GROUP BY the columns that should be distinct, with min() or max() of the others")
    }

    /// `UNION`, `INTERSECT` or `EXCEPT` after a SELECT; `range` is the word.
    static func setOperation(_ word: String, at range: SourceRange) -> Diagnostic {
        let hint = word == "UNION" ? "run each SELECT as a statement of its own; over one endpoint, join the two WHERE conditions with OR"
            : word == "INTERSECT" ? "over one endpoint, join the two WHERE conditions with AND; across endpoints, use EXISTS (SELECT …)"
            : "over one endpoint, write WHERE a AND NOT (b); across endpoints, use NOT EXISTS (SELECT …)"
        return Diagnostic(.syntax, "\(word) is not supported", at: range, hint: hint)
    }

    /// `WITH x AS (…) SELECT …`; `range` is `WITH`.
    static func commonTableExpression(at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "WITH (a common table expression) is not supported", at: range,
                   hint: "write the inner SELECT where it is used, as IN (SELECT …) or EXISTS (SELECT …), or join the endpoints")
    }

    /// `row_number() OVER (…)`; `range` is `OVER`.
    static func windowFunction(at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "window functions (OVER) are not supported", at: range,
                   hint: "GROUP BY for an aggregate per group; ORDER BY … LIMIT n for the first rows")
    }

    /// `CAST(x AS money)`.
    static func unknownType(_ name: String, at range: SourceRange) -> Diagnostic {
        let names = SQLType.allCases.map(\.rawValue)
        return Diagnostic(.syntax, "unknown type '\(name)'", at: range,
                          hint: Suggestion.closest(to: name, among: names).map(didYouMean)
                              ?? "CAST takes one of " + names.joined(separator: ", "))
    }

    /// `extract(yaer FROM x)`.
    static func unknownDateField(_ name: String, at range: SourceRange) -> Diagnostic {
        let names = DateField.allCases.map(\.rawValue)
        return Diagnostic(.syntax, "unknown date field '\(name)'", at: range,
                          hint: Suggestion.closest(to: name, among: names).map(didYouMean)
                              ?? "extract takes one of " + names.joined(separator: ", "))
    }

    /// `INTERVAL 'soon'`.
    static func invalidInterval(_ text: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "cannot read the interval '\(text)'", at: range,
                   hint: "write a whole number and a unit: INTERVAL '30 days', '2 hours', '1 month', '1 year'")
    }

    /// `FROM people` and the input ends.
    static func expectedEndpoint(afterService service: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.incomplete, "expected '.' and an endpoint after '\(service)'", at: range,
                   hint: "name the service and the endpoint: \(service).\(service)")
    }

    /// `FROM people` followed by something other than `.`.
    static func expectedDot(afterService service: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "expected '.' after the service name '\(service)'", at: range,
                   hint: "endpoints are named service.endpoint, e.g. people.people or attachments.notes")
    }

    /// `FROM a.b.c`; `range` is the second `.`.
    static func tooManyEndpointParts(at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "an endpoint has two parts, service.endpoint", at: range,
                   hint: "e.g. services.service_offerings")
    }

    // MARK: - Parsing: LIMIT and OFFSET

    /// A number after LIMIT or OFFSET that is not a whole number of rows.
    static func invalidCount(_ keyword: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "\(keyword) needs a whole number of 0 or more", at: range,
                   label: "not a whole number of rows")
    }

    static func countTooLarge(_ keyword: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "\(keyword) can be at most \(CountClause.largest)", at: range,
                   hint: keyword == "LIMIT" ? "leave LIMIT out to read every row" : nil)
    }

    static func expectedCount(after keyword: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.incomplete, "expected a number after '\(keyword)'", at: range)
    }

    static func expectedCount(after keyword: String, found: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "expected a number after '\(keyword)', found \(found)", at: range,
                   label: "expected a whole number or a :parameter")
    }

    // MARK: - Parsing: conditions

    static func expectedCondition(after context: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.incomplete, "expected a condition after \(context)", at: range,
                   hint: "e.g. last_name = 'Doe'")
    }

    /// A value (`text`) where a condition belongs: after WHERE, or beside AND, OR or NOT.
    static func valueAsCondition(_ text: String, beside keyword: String?, at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, keyword.map { "expected a condition beside '\($0)', found the value \(text)" }
                   ?? "expected a condition, found the value \(text)",
                   at: range, label: "this is a value, not true or false",
                   hint: "compare it, e.g. \(text) = TRUE or \(text) IS NOT NULL")
    }

    /// A condition as an operand of `operatorText` (`=`, `LIKE`, `IN`, …).
    static func conditionAsOperand(of operatorText: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "'\(operatorText)' compares values, not conditions", at: range,
                   label: "this is a condition", hint: "combine conditions with AND, OR and NOT")
    }

    /// `a NOT` and the input ends.
    static func expectedNegatablePredicate(at range: SourceRange) -> Diagnostic {
        Diagnostic(.incomplete, "expected 'LIKE', 'IN' or 'BETWEEN' after 'NOT'", at: range)
    }

    /// `a NOT = 1`.
    static func expectedNegatablePredicate(found: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "expected 'LIKE', 'IN' or 'BETWEEN' after 'NOT', found \(found)", at: range,
                   hint: "to negate a condition, put NOT before it: NOT (a = 1)")
    }

    static func emptyInList(at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "an IN list cannot be empty", at: range, hint: "e.g. state IN ('CA', 'NY')")
    }

    static func expectedValueInList(at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "expected a value in the IN list", at: range)
    }

    /// `a.b.c` in a condition; `range` is the second `.`.
    static func qualifiedColumn(at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "a column name has at most one '.': table.column", at: range,
                   hint: "name the table by its alias, e.g. FROM people.people p … p.last_name")
    }

    /// `RIGHT JOIN`, `FULL JOIN`, `NATURAL JOIN`.
    static func unsupportedJoin(_ kind: String, at range: SourceRange) -> Diagnostic {
        if kind == "USING" {
            return Diagnostic(.syntax, "JOIN … USING is not supported", at: range, hint: "name the condition: JOIN … ON a.x = b.x")
        }
        let hint = kind == "RIGHT" ? "write the tables the other way round with LEFT JOIN"
            : kind == "FULL" ? "cbq has no FULL JOIN; a LEFT JOIN each way, or NOT EXISTS, may answer the question"
            : "name the condition: JOIN … ON a.x = b.x"
        return Diagnostic(.syntax, "\(kind) JOIN is not supported", at: range, hint: hint)
    }

    /// `p.` then not a name.
    static func expectedColumnAfterDot(_ table: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "expected a column name after '\(table).'", at: range, hint: "e.g. \(table).id or \(table).*")
    }

    static func expectedValue(after context: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.incomplete, "expected a value after \(context)", at: range,
                   label: "expected a number, string or column name")
    }

    /// A keyword where a value belongs; `spelling` is the keyword as written.
    static func expectedValue(after context: String, foundKeyword keyword: Keyword, written spelling: String,
                              at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "expected a value after \(context), found '\(keyword.rawValue)'", at: range,
                   label: "expected a number, string or column name",
                   hint: "to use '\(spelling)' as a column name, quote it: \"\(spelling)\"")
    }

    static func expectedValue(after context: String, found: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "expected a value after \(context), found \(found)", at: range,
                   label: "expected a number, string or column name")
    }

    // MARK: - Parsing: any token

    /// `what` (e.g. "'FROM'", "a column name") was due when the input ended.
    static func expected(_ what: String, after context: String, at range: SourceRange, hint: String? = nil) -> Diagnostic {
        Diagnostic(.incomplete, "expected \(what) after \(context)", at: range, hint: hint)
    }

    /// `what` was due and `found` came instead; `suggestion` is a close spelling of what fits.
    static func expected(
        _ what: String, after context: String, found: String, at range: SourceRange,
        suggestion: String? = nil, hint: String? = nil
    ) -> Diagnostic {
        Diagnostic(.syntax, "expected \(what) after \(context), found \(found)", at: range,
                   hint: suggestion.map(didYouMean) ?? hint)
    }

    /// A keyword where a name belongs; `spelling` is the keyword as written.
    static func expected(_ what: String, after context: String, foundKeyword keyword: Keyword, written spelling: String,
                         at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "expected \(what) after \(context), found '\(keyword.rawValue)'", at: range,
                   hint: "'\(spelling)' is a keyword; to use it as a name, quote it: \"\(spelling)\"")
    }

    /// Hints for a token missing where the parser calls `expected(_:after:hint:)` itself.
    enum Hint {
        /// `a IS` or `a IS NOT`, then not NULL.
        static let isNull = "cbq supports IS NULL and IS NOT NULL; compare booleans with = TRUE"
        /// `a BETWEEN 1`, then not AND.
        static let betweenBounds = "BETWEEN low AND high"
        /// `(a = 1`, then not `)`.
        static let closeParenthesis = "close the parenthesis opened here"
        /// `JOIN t` without ON.
        static let joinCondition = "e.g. JOIN people.people p ON p.id = c.person_id; or list the tables with ',' and join in WHERE"
    }

    // MARK: - Parsing: limits on hostile input

    static func nestedTooDeeply(limit: Int, at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "expression nested too deeply (more than \(limit) levels)", at: range)
    }

    static func conditionTooLong(limit: Int, at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "condition too long (more than \(limit) ANDs and ORs)", at: range,
                   hint: "use IN (…) for long lists of values")
    }
}
