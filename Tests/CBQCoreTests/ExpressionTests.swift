import Testing
@testable import CBQCore

/// Values, functions, dates and their errors, where SQL dialects differ (the issue says which
/// way cbq goes); what SQLite also defines is compared with SQLite in DifferentialTests.
struct ExpressionTests {
    static let now = Instant("2026-12-01T09:30:00Z")!

    /// Plans `SELECT <expression> FROM a.b` and returns the folded value's literal text; a
    /// whole decimal or double, which is not folded (its spelling would read back as an
    /// integer), is evaluated instead and marked `~`.
    private func fold(_ expression: String) throws -> String {
        var options = PlannerOptions()
        options.now = Self.now
        let plan = try Planner(options).planSelect("SELECT \(expression) AS v FROM a.b")
        guard let output = plan.localQuery?.outputs?.first else { Issue.record("no computed output"); return "" }
        guard case .literal(let literal, _) = output.expression else {
            let value = try ExpressionCompiler.evaluate(output.expression) { _ in .null }
            if case .decimal = value { return "~" + value.description }
            if case .real = value { return "~" + value.description }
            return "not folded: \(output.expression)"
        }
        return literal.description
    }

    private func error(_ expression: String) -> Diagnostic? {
        do throws(Diagnostic) {
            _ = try Planner().planSelect("SELECT \(expression) AS v FROM a.b")
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        // Arithmetic: exact integers, truncating division, decimals that keep their digits.
        ("7 / 2", "3"), ("-7 / 2", "-3"), ("-7 % 2", "-1"), ("7 % -2", "1"), ("2 + 3 * 4", "14"), ("(2 + 3) * 4", "20"),
        ("1234.50 + 1234.50", "2469.00"), ("0.1 + 0.2", "0.3"), ("1.5 * 2", "3.0"), ("7.0 / 2", "~3.5"), ("-(-5)", "5"),
        ("- 5", "-5"), ("'3' + 4", "7"), ("9223372036854775806 + 1", "9223372036854775807"),
        ("-9223372036854775808", "-9223372036854775808"), ("-9223372036854775807 - 1", "-9223372036854775808"),
        // % of decimals is exact, at the larger scale, truncated toward zero (PostgreSQL's).
        ("0.3 % 0.1", "0.0"), ("-123.456 % 1.005", "-0.846"), ("20 % 0.3", "0.2"), ("7.5 % 2", "1.5"), ("-7.5 % 2", "-1.5"),
        // Text.
        ("'a' || 'b' || 1", "'ab1'"), ("'x' || NULL", "NULL"), ("lower('ZOË')", "'zoë'"), ("upper('straße')", "'STRASSE'"),
        ("length('a\r\nb')", "4"), ("length('山田')", "2"), ("substr('hello', 2, 3)", "'ell'"), ("substring('hello', -3)", "'llo'"),
        ("substr('hello', 0, 2)", "'h'"), ("trim('  a b  ')", "'a b'"), ("ltrim('xxa', 'x')", "'a'"), ("rtrim('a  ')", "'a'"),
        ("replace('a-b-c', '-', '+')", "'a+b+c'"), ("length(replace('one\r\ntwo', '\r', ''))", "7"), ("length(replace('one\r\ntwo', '\n', ''))", "7"),
        ("replace('cafe\u{301}', 'e', 'E')", "'cafE\u{301}'"), ("replace('caf\u{E9}', 'e\u{301}', 'X')", "'caf\u{E9}'"), ("replace('aaa', 'aa', 'b')", "'ba'"), ("coalesce(NULL, NULL, 3)", "3"), ("nullif(1, 1)", "NULL"), ("nullif(1, 2)", "1"),
        ("abs(-4.25)", "4.25"), ("LOWER('A')", "'a'"),
        // round: half away from zero, on the decimal value.
        ("round(2.675, 2)", "2.68"), ("round(-2.5)", "~-3"), ("round(2.4)", "~2"), ("round(1250, -2)", "1300"), ("round(1249.5, -2)", "~1200"), ("round(149.5, -2)", "~100"), ("round(-149.5, -2)", "~-100"),
        ("round(150.0, -2)", "~200"), ("round(-1250.00, -2)", "~-1300"), ("round(0.4, -1)", "~0"), ("round(7)", "7"),
        ("round(49.99999999999999999, -2)", "~0"), ("round(50.00000000000000001, -2)", "~100"), ("round(-49.99999999999999999, -2)", "~0"),
        // Conditions as values.
        ("1 < 2", "TRUE"), ("NULL = 1", "NULL"), ("'b' BETWEEN 'a' AND 'c'", "TRUE"), ("3 IN (1, NULL)", "NULL"),
        ("CASE WHEN 1 > 2 THEN 'x' ELSE 'y' END", "'y'"), ("CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' END", "'two'"),
        ("CASE WHEN FALSE THEN 1 END", "NULL"),
        // CAST.
        ("CAST('42' AS INTEGER)", "42"), ("CAST(2.9 AS INTEGER)", "2"), ("CAST(-2.9 AS INT)", "-2"), ("CAST(5 AS TEXT)", "'5'"),
        ("CAST('yes' AS BOOLEAN)", "TRUE"), ("CAST('1.50' AS DECIMAL)", "1.50"),
        ("CAST('2025-03-04T10:15:00Z' AS DATE)", "'2025-03-04'"), ("CAST('2025-03-04' AS TIMESTAMP)", "'2025-03-04T00:00:00Z'"),
        // Typed literals and `::`, PostgreSQL's spellings of CAST.
        ("DATE '2025-01-01'", "'2025-01-01'"), ("TIMESTAMP '2025-01-01 10:00:00+02:00'", "'2025-01-01T08:00:00Z'"),
        ("timestamptz '2025-01-29 23:59:59'", "'2025-01-29T23:59:59Z'"), ("'2025-01-29 23:59:59'::timestamp", "'2025-01-29T23:59:59Z'"),
        ("'2025-03-04T10:15:00Z'::date", "'2025-03-04'"), ("'7'::integer + 1", "8"), ("'12'::integer::text", "'12'"),
        ("-5::text", "'-5'"), ("(2 + 3)::text", "'5'"), ("DATE '2025-01-31' + INTERVAL '1 month'", "'2025-02-28'"),
        // Dates: UTC ISO 8601 text in and out.
        ("date('2025-03-04T23:15:00-02:00')", "'2025-03-05'"), ("extract(year FROM '2025-03-04')", "2025"),
        ("extract(dow FROM '2025-03-02')", "0"), ("extract(dow FROM '2025-03-04')", "2"), ("extract(hour FROM '2025-03-04T10:15:00Z')", "10"),
        ("extract(quarter FROM '2025-08-01')", "3"), ("extract(week FROM '2025-01-01')", "1"), ("extract(doy FROM '2025-02-01')", "32"),
        ("date_trunc('month', '2025-03-04T10:15:00Z')", "'2025-03-01T00:00:00Z'"),
        ("date_trunc('week', '2025-03-06T10:15:00Z')", "'2025-03-03T00:00:00Z'"),
        ("date_trunc('quarter', '2025-08-19')", "'2025-07-01T00:00:00Z'"), ("date_trunc('year', '2025-08-19')", "'2025-01-01T00:00:00Z'"),
        ("date_trunc('hour', '2025-08-19T10:59:59Z')", "'2025-08-19T10:00:00Z'"),
        ("'2025-01-31' + INTERVAL '1 month'", "'2025-02-28'"), ("'2024-02-29' + INTERVAL '1 year'", "'2025-02-28'"),
        ("'2025-03-01' - INTERVAL '1 day'", "'2025-02-28'"), ("'2025-03-01' + INTERVAL '36 hours'", "'2025-03-02T12:00:00Z'"),
        ("INTERVAL '2 weeks' + '2025-03-01'", "'2025-03-15'"), ("'2025-03-01T10:00:00.250Z' + INTERVAL '1 minute'", "'2025-03-01T10:01:00.25Z'"),
        ("'2025-03-10' - '2025-03-01'", "9"),
        // Time is an input: now() and current_date come from the planner's options.
        ("now()", "'2026-12-01T09:30:00Z'"), ("current_date", "'2026-12-01'"), ("CURRENT_TIMESTAMP", "'2026-12-01T09:30:00Z'"),
        ("now() - INTERVAL '30 days'", "'2026-11-01T09:30:00Z'"), ("current_date - INTERVAL '1 month'", "'2026-11-01'"),
    ])
    func constants(expression: String, expected: String) throws {
        #expect(try fold(expression) == expected, "\(expression)")
    }

    @Test(arguments: [
        ("9223372036854775807 + 1", "integer overflow"), ("-9223372036854775807 - 2", "integer overflow"),
        ("4611686018427387904 * 2", "integer overflow"), ("1 / 0", "division by zero"), ("5 % 0", "division by zero"),
        ("1.5 / 0", "division by zero"), ("'abc' + 1", "'+' needs numbers, and this is the text 'abc'"),
        ("CAST('abc' AS INTEGER)", "cannot CAST the text 'abc' AS INTEGER"), ("'abc'::integer", "cannot CAST the text 'abc' AS INTEGER"),
        ("DATE 'soon'", "cannot CAST the text 'soon' AS DATE"), ("'1'::nope", "unknown type 'nope'"), ("date('soon')", "date needs a date or timestamp, and this is the text 'soon'"),
        ("lowr('A')", "unknown function 'lowr'"), ("lower('a', 'b')", "lower takes 1 argument, not 2"),
        ("INTERVAL '1 day'", "an INTERVAL can only be added to or subtracted from a date or timestamp"),
        ("date_trunc('fortnight', '2025-01-01')", "date_trunc: the unit must be one of second, minute, hour, day, week, month, quarter, year"),
        ("'2025-01-01T00:00:00Z' - '2024-01-01T00:00:00Z'", "only dates subtract to a number of days"),
        ("SUM(*)", "only COUNT takes *"), ("COUNT(MAX(a))", "an aggregate cannot contain another aggregate"),
        ("lower(DISTINCT 'a')", "only aggregates take * or DISTINCT, and lower is not one"),
    ])
    func errors(expression: String, message: String) {
        let diagnostic = error(expression)
        #expect(diagnostic?.message == message, "\(expression)")
        // The error points into the expression, never at nothing.
        if let diagnostic { #expect(diagnostic.range.start >= 7 && diagnostic.range.end <= 7 + expression.utf8.count) }
    }

    @Test func unknownFunctionsGetADidYouMean() {
        #expect(error("lowr(a)")?.hint == "did you mean 'lower'?")
        #expect(error("cout(*)")?.hint == "did you mean 'count'?")
        #expect(error("date_trnc('day', a)")?.hint == "did you mean 'date_trunc'?")
    }

    @Test func rowValuesAreReadExactly() throws {
        let row: [String: SQLValue] = ["price": SQLValue(number: Array("1234.50".utf8)), "n": SQLValue(number: Array("12".utf8)),
                                       "big": SQLValue(number: Array("1e400".utf8)), "name": .text("Zoë"), "nothing": .null]
        func value(_ text: String) throws -> SQLValue {
            let plan = try Planner().planSelect("SELECT \(text) AS v FROM a.b")
            return try ExpressionCompiler.evaluate(try #require(plan.localQuery?.outputs?.first?.expression)) { row[$0] ?? .null }
        }
        #expect(try value("price * 2").description == "2469.00")
        #expect(try value("price + n").description == "1246.50")
        #expect(try value("n / 5").description == "2")
        #expect(try value("upper(name)").description == "ZOË")
        #expect(try value("nothing + 1").isNull)
        #expect(try value("coalesce(nothing, name)").description == "Zoë")
        #expect(try value("price > 1000").description == "true")
        #expect(try value("price = '1234.5'").description == "true")
    }

    /// A number literal against text compares its spelling, as the API's filter does.
    @Test func numberLiteralsKeepTheirSpellingAgainstText() throws {
        let row: [String: SQLValue] = ["zip": .text("02134")]
        func truth(_ condition: String) throws -> Bool? {
            let plan = try Planner().planSelect("SELECT CASE WHEN \(condition) THEN 1 ELSE 0 END AS v, zip FROM a.b")
            let value = try ExpressionCompiler.evaluate(try #require(plan.localQuery?.outputs?.first?.expression)) { row[$0] ?? .null }
            return value.description == "1"
        }
        #expect(try truth("zip = 02134") == true)
        // Read as a number it would be equal: no answer, an error (see EvaluationTests); and
        // CASE zip WHEN 2134 is that comparison too, not a quiet no match.
        #expect(throws: Diagnostic.self) { try truth("zip = 2134") }
        let mismatch = try Planner().planSelect("SELECT CASE zip WHEN 2134 THEN 'yes' END AS v FROM a.b")
        #expect(throws: Diagnostic.self) { _ = try ExpressionCompiler.evaluate(try #require(mismatch.localQuery?.outputs?.first?.expression)) { row[$0] ?? .null } }
        #expect(try truth("zip IN (02139, 02134)") == true)
        #expect(try truth("zip BETWEEN 02000 AND 02200") == true)
        #expect(try truth("02134 = zip") == true)
        let plan = try Planner().planSelect("SELECT CASE zip WHEN 02134 THEN 'yes' END AS v FROM a.b")
        #expect(try ExpressionCompiler.evaluate(try #require(plan.localQuery?.outputs?.first?.expression)) { row[$0] ?? .null }
            .description == "yes")
    }

    @Test(arguments: [
        "SELECT \"extract\"('YEAR', '2025-03-04') AS v FROM a.b",
        "SELECT abs(-922337203685477580.7 - 0.1) AS v FROM a.b",
        "SELECT abs(-922337203685477580 - 0.1) AS v FROM a.b",
        "SELECT a FROM a.b ORDER BY lower(a) LIMIT 9007199254740992 OFFSET 9007199254740992",
    ])
    func inputThatOnceTrapped(text: String) throws {
        _ = try Planner().planSelect(text)
    }

    @Test func hugeIntervalsAreErrorsNotTraps() {
        #expect(error("'2025-01-01' - INTERVAL '-9223372036854775808 seconds'")?.message
                == "cannot read the interval '-9223372036854775808 seconds'")
        #expect(error("\"extract\"('fortnight', '2025-01-01')")?.message.hasPrefix("extract: the field must be one of") == true)
    }

    @Test func aggregatesOfNothingAndOfDecimals() throws {
        var count = Accumulator(.count, distinct: false, range: SourceRange(0, 1))
        var sum = Accumulator(.sum, distinct: false, range: SourceRange(0, 1))
        var average = Accumulator(.avg, distinct: false, range: SourceRange(0, 1))
        var least = Accumulator(.min, distinct: false, range: SourceRange(0, 1))
        #expect(count.result.description == "0")
        #expect(sum.result.isNull && average.result.isNull && least.result.isNull)
        for spelling in ["1234.50", "1234.50", "0.01"] {
            let value = SQLValue(number: Array(spelling.utf8))
            try count.add(value); try sum.add(value); try average.add(value); try least.add(value)
        }
        try count.add(.null)
        #expect(count.result.description == "3")
        #expect(sum.result.description == "2469.01")
        #expect(least.result.description == "0.01")
        #expect(average.result.description == "823.0033333333334")
        var distinct = Accumulator(.count, distinct: true, range: SourceRange(0, 1))
        for value: SQLValue in [.integer(2), .decimal(ExactDecimal("2.00")!), .real(2), .text("2"), .null] { try distinct.add(value) }
        #expect(distinct.result.description == "2")  // 2, 2.00 and 2.0 are one value; '2' is text
        var overflow = Accumulator(.sum, distinct: false, range: SourceRange(3, 9))
        try overflow.add(.integer(.max))
        #expect(throws: Diagnostic.self) { try overflow.add(.integer(1)) }
    }
}

/// A join's hash keys: whatever `=` finds equal keys alike (text and numbers included).
struct JoinKeyTests {
    @Test func equalValuesHaveEqualKeys() throws {
        let values: [SQLValue] = [
            .text("0.45454545454545453"), .real(5.0 / 11.0), .integer(12_345_678_901_234_567), .text("12345678901234567"),
            .decimal(try #require(ExactDecimal("12345678901234567.0"))), .text("42"), .integer(42), .real(42),
            .decimal(try #require(ExactDecimal("1.50"))), .text("1.5"), .text("1.50"), .real(1.5), .text("042"),
            .text("abc"), .text("ABC"), .integer(9_007_199_254_740_993), .real(9_007_199_254_740_992), .text("1e2"), .integer(100),
        ]
        var pairs = 0
        for a in values {
            for b in values where Operations.compare(a, b, constant: .none) == 0 {
                pairs += 1
                let ka = try #require(a.joinKey), kb = try #require(b.joinKey)
                #expect(GroupValue(ka) == GroupValue(kb), "\(a) = \(b), but their keys differ: \(ka), \(kb)")
            }
        }
        #expect(pairs > values.count + 10)  // the list has equal pairs to check, not only each value with itself
    }
}
