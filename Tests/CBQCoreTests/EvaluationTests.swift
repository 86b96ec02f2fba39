import Testing
@testable import CBQCore

struct EvaluationTests {
    private let row: [String: JSONValue] = [
        "id": "P-1", "last_name": "Doe", "age": 12, "score": 2.5, "archived": false, "state": "CA",
        "middle_name": nil, "created_at": "2025-03-04T10:15:00Z", "zip": "02134", "tags": .array(["a"]),
        "amount": "10.00",
    ]

    private func evaluate(_ condition: String) throws -> Bool? {
        // Evaluate the whole WHERE, pushed parts included: local evaluation must agree with the API.
        guard case .select(let select) = try Parser.parseStatement(SourceText("SELECT * FROM a.b WHERE \(condition)")) else { return nil }
        return try ExpressionCompiler.truth(of: try #require(select.filter)) { SQLValue(row[$0] ?? .null) }
    }

    @Test(arguments: [
        ("last_name = 'Doe'", true), ("last_name = 'doe'", false), ("last_name != 'Doe'", false),
        ("age > 5", true), ("age > 12", false), ("age >= 12", true), ("age < 12.5", true), ("age = '12'", true),
        ("'9' < age", true), ("9 < age", true), ("score BETWEEN 2 AND 3", true), ("age NOT BETWEEN 1 AND 20", false),
        ("archived = false", true), ("archived = 'FALSE'", true), ("archived != true", true),
        ("created_at >= '2025-01-01'", true), ("created_at < '2025-03-04T10:15:00Z'", false),
        ("zip = 02134", true), ("zip = '02134'", true), ("zip > 01000", true), ("amount > 10.5", false), ("amount = 10.00", true),
        ("last_name LIKE 'doe'", true), ("last_name LIKE 'D_e'", true), ("last_name LIKE 'D%'", true),
        ("last_name LIKE 'Do'", false), ("last_name NOT LIKE 'x%'", true), ("age LIKE '1%'", true),
        ("state IN ('NY', 'CA')", true), ("state NOT IN ('NY', 'CA')", false), ("age IN (1, 12)", true),
        ("middle_name IS NULL", true), ("missing IS NULL", true), ("last_name IS NOT NULL", true),
        ("NOT last_name = 'Doe'", false), ("last_name = 'x' OR age = 12", true), ("id = 'P-1'", true),
        ("age = age", true), ("last_name = state", false),
    ])
    func twoValued(condition: String, expected: Bool) throws {
        #expect(try evaluate(condition) == expected, "\(condition)")
    }

    /// SQL's unknown: comparisons with NULL are neither true nor false, and NOT keeps them unknown.
    @Test(arguments: [
        ("middle_name = 'x'", nil), ("middle_name != 'x'", nil), ("NOT middle_name = 'x'", nil),
        ("middle_name LIKE '%'", nil), ("middle_name IN ('x')", nil), ("state IN ('NY', middle_name)", nil),
        ("state NOT IN ('NY', middle_name)", nil), ("state IN ('CA', middle_name)", true),
        ("middle_name = 'x' OR age = 12", true), ("middle_name = 'x' OR age = 1", nil),
        ("middle_name = 'x' AND age = 1", false), ("middle_name = 'x' AND age = 12", nil),
        ("tags = 'a'", nil),
        ("middle_name BETWEEN 1 AND 2", nil), ("age BETWEEN 1 AND middle_name", nil), ("age BETWEEN 20 AND middle_name", false),
    ] as [(String, Bool?)])
    func threeValued(condition: String, expected: Bool?) throws {
        #expect(try evaluate(condition) == expected, "\(condition)")
    }

    /// Values that are not NULL and do not compare are an error, not unknown: unknown, a typo
    /// (`age > '2O'`) or a mistaken type (`archived = 1`) would match no row, and its NOT none
    /// either. Without a constant the order of the sides does not matter (`'10' > 9` is
    /// `9 < '10'`: text meets a number as a number).
    @Test(arguments: ["age = 'abc'", "archived = 'maybe'", "archived = 1", "age > '2O'", "age IN ('x', 12)", "age BETWEEN 'a' AND 20",
                      "NOT (age = 'abc' OR id = 'P-1')", "CAST(age AS TEXT) = archived"])
    func incomparableValuesAreAnError(condition: String) throws {
        #expect(throws: Diagnostic.self, "\(condition)") { _ = try evaluate(condition) }
    }

    /// Text that spells a number, against a number constant: the constant is read as text, as
    /// the API reads a filter's text against a text attribute; but a server may send numbers as
    /// text (a decimal as "10.00") and compare them as numbers. Where the two readings differ,
    /// that is an error naming both ways out, not the text reading's answer.
    @Test(arguments: ["zip = 2134", "zip > 1000", "amount > 9.75", "amount = 10", "amount IN (10, 11)", "amount BETWEEN 9.5 AND 11", "NOT amount < 9.75"])
    func textThatIsANumberAgainstANumberIsAnErrorWhereTheReadingsDiffer(condition: String) throws {
        #expect(performing: { _ = try evaluate(condition) }, throws: { error in
            (error as? Diagnostic)?.message.contains("compare one way as text and another as numbers") == true
        })
    }

    @Test(arguments: [("CAST(age AS TEXT) < age + 1", true), ("age + 1 > CAST(age AS TEXT)", true),
                      ("CAST(age AS TEXT) = age", true), ("age = CAST(age AS TEXT)", true),
                      ("CAST(age * 10 AS TEXT) > age", true), ("age < CAST(age * 10 AS TEXT)", true)])
    func textMeetsANumberAsANumberWhicheverSide(condition: String, expected: Bool) throws {
        #expect(try evaluate(condition) == expected, "\(condition)")
    }

    /// Two ISO dates or timestamps compare as instants: a date is its midnight UTC (as
    /// PostgreSQL compares a date with a timestamp), offsets count, and a fraction of a second
    /// is later than none (its `.` sorts before `Z` as bytes).
    @Test(arguments: [
        ("2026-10-14", "2026-10-14T00:00:00Z", 0), ("2026-10-14", "2026-10-13T23:59:59Z", 1), ("2026-10-13", "2026-10-13T00:00:01Z", -1),
        ("2025-01-01T00:00:00Z", "2025-01-01T00:00:00.5Z", -1), ("2025-01-01T00:00:00.500Z", "2025-01-01T00:00:00.5Z", 0),
        ("2025-01-01T01:00:00+02:00", "2024-12-31T23:30:00Z", -1), ("2025-01-01T00:00:00Z", "2025-01-01 00:00:00", 0),
        ("2025-01-01T09:00:00Z", "2025-01-01T10:00:00Z", -1), ("2025-13-01", "2025-02-01", 1), ("abc", "abd", -1),
    ])
    func timesCompareAsInstants(a: String, b: String, expected: Int) {
        #expect(ValueSemantics.compareText(a, b) == expected, "\(a) against \(b)")
        #expect(ValueSemantics.compareText(b, a) == -expected, "\(b) against \(a)")
    }

    /// The sandbox's filters compare a number exactly, as a local predicate does: 20 is less
    /// than 20.00000000000000001, where as doubles the two are equal.
    @Test func aFilterComparesNumbersExactly() {
        #expect(ValueSemantics.compare(.number(20), toText: "20.00000000000000001") == -1)
        #expect(ValueSemantics.compare(.number(0.1), toText: "0.1") == 0)
        #expect(ValueSemantics.compare(.number(1e300), toText: "1e299") == 1)
    }

    @Test(arguments: [
        ("%", "", true), ("_", "", false), ("a%", "abc", true), ("%c", "abc", true), ("%b%", "abc", true),
        ("a_c", "abc", true), ("a_c", "abbc", false), ("%a%a%a%b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false),
        ("ZOË", "zoë", true), ("山%", "山田", true), ("o'b%", "O'Brien", true), ("a%%c", "ac", true),
        // Code points, beyond ASCII as within it: `_` is one, and `\r\n` is two.
        ("%\r%", "é\r\nb", true), ("e_", "e\u{301}", true), ("é", "e\u{301}", false), ("_", "\r\n", false), ("é_", "é\u{301}", true),
        // Case is folded code point by code point: İ stays one, so `_` matches it.
        ("_", "İ", true), ("i̇stanbul", "İstanbul", false), ("%STANBUL", "İstanbul", true), ("ΣΊΣΥΦΟΣ", "σίσυφος", true),
        // A backslash makes the next character literal, as PostgreSQL's default escape does.
        ("in\\_home", "in_home", true), ("in\\_home", "inXhome", false), ("100\\%", "100%", true), ("100\\%", "1000", false),
        ("%\\%%", "x%y", true), ("%\\%%", "xy", false), ("a\\\\b", "a\\b", true), ("a\\\\b", "ab", false), ("a\\", "a\\", true),
    ])
    func likePatterns(pattern: String, text: String, expected: Bool) {
        #expect(LikePattern(pattern).matches(text) == expected)
    }
}
