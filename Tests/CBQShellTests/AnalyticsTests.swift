import CBQCore
import CBQRuntime
import CBQSandbox
import Synchronization
import Testing
@testable import CBQShell

/// GROUP BY, DISTINCT, expressions and the local plan, end to end on the in-process sandbox.
struct AnalyticsTests {
    @Test func groupByCountsPerKeyInKeyOrder() async {
        let shell = ShellHarness()
        let status = await shell.run("SELECT status, COUNT(*) AS n, MIN(opened_at) AS first FROM cases.cases GROUP BY status")
        #expect(status == 0, "\(shell.errorText)")
        let lines = shell.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.contains("status") == true && lines.first?.contains("n") == true)
        #expect(lines.last == "(\(lines.count - 3) rows)")
        // Groups come in key order, and their counts add up to the endpoint's rows.
        let rows = lines.dropFirst(2).dropLast().map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
        #expect(rows.map { $0[0] } == rows.map { $0[0] }.sorted())
        #expect(rows.map { Int($0[1]) ?? 0 }.reduce(0, +) == 600)
    }

    @Test func distinctIsAKeywordNotAColumn() async {
        let shell = ShellHarness(format: .csv)
        let status = await shell.run("SELECT DISTINCT state FROM people.people ORDER BY state")
        #expect(status == 0)
        let lines = shell.output.split(whereSeparator: \.isNewline)
        #expect(lines.first == "state")
        #expect(lines.count > 2 && lines.count < 20)
        #expect(Set(lines).count == lines.count)
        #expect(!lines.contains(""))
    }

    @Test func aColumnNoRowHasIsAnErrorWithADidYouMean() async {
        let shell = ShellHarness(terminal: true)
        let status = await shell.run("SELECT DISTINCT cty FROM people.people")
        #expect(status == 65)
        #expect(shell.output.isEmpty)
        #expect(shell.errorText.contains("error: column 'cty' does not exist in people.people"))
        #expect(shell.errorText.contains("did you mean 'city'?"))
        #expect(shell.errorText.contains("SELECT DISTINCT cty FROM people.people\n  │                 ^^^") || shell.errorText.contains("^^^"))
        // Also in WHERE, where the API would only have ignored it, and on the raw path.
        #expect(await ShellHarness().run("SELECT first_name FROM people.people WHERE lower(frist_name) = 'ava'") == 65)
        #expect(await ShellHarness().run("SELECT frist_name FROM people.people") == 65)
    }

    /// `"Doe"` is a column name in SQL: one that no row has, and no column is near, is most
    /// likely text written as in other languages, and the hint says how to write it.
    @Test func aDoubleQuotedNameThatIsNoColumnSuggestsText() async {
        let shell = ShellHarness()
        #expect(await shell.run("SELECT first_name FROM people.people WHERE last_name = \"O'Doe\"") == 65)
        #expect(shell.errorText.contains("column 'O'Doe' does not exist in people.people"))
        #expect(shell.errorText.contains("hint: double quotes make a column name; for the text, write 'O''Doe'"))
        let misspelt = ShellHarness()
        #expect(await misspelt.run("SELECT \"frist_name\" FROM people.people") == 65)
        #expect(misspelt.errorText.contains("did you mean 'first_name'?"))
    }

    @Test func aColumnOnlyAFilterReadsIsNoErrorUnderSparseFieldsets() async {
        let shell = ShellHarness(format: .csv, sparseFieldsets: true)
        #expect(await shell.run("SELECT lower(first_name) AS f FROM people.people WHERE last_name = 'Doe' ORDER BY f LIMIT 2") == 0,
                "\(shell.errorText)")
        #expect(shell.transport.sent.first?.url.description.contains("fields%5Bpeople%5D=first_name") == true)
    }

    @Test func aGroupByNameThatIsAColumnAndAnAliasIsAnError() async {
        let shell = ShellHarness()
        #expect(await shell.run("SELECT lower(city) AS city, COUNT(*) FROM people.people GROUP BY city") == 65)
        #expect(shell.errorText.contains("GROUP BY city is ambiguous: it is a column of people.people and an alias in the select list"))
        #expect(await ShellHarness().run("SELECT lower(city) AS c, COUNT(*) FROM people.people GROUP BY c") == 0)
    }

    @Test func anAliasInsideAnExpressionIsNotASilentNull() async {
        let shell = ShellHarness()
        #expect(await shell.run("SELECT first_name AS fn FROM people.people ORDER BY lower(fn)") == 65)
        #expect(shell.errorText.contains("column 'fn' does not exist in people.people"))
    }

    @Test func rowsFetchedByIDAreSortedAndLimitedHere() async {
        let shell = ShellHarness(format: .csv)
        #expect(await shell.run("SELECT id, first_name FROM people.people WHERE id IN ('PER-00003', 'PER-00001', 'PER-00002') ORDER BY first_name DESC LIMIT 2") == 0)
        let people = SandboxData.generate(seed: SandboxOptions().seed)[SandboxData.people.path]!.prefix(3)
        let expected = people.sorted { $0[attribute: "first_name"].stringValue! > $1[attribute: "first_name"].stringValue! }.prefix(2).map(\.id)
        #expect(shell.output.split(whereSeparator: \.isNewline).dropFirst().map { String($0.prefix { $0 != "," }) } == Array(expected))
    }

    @Test func limitZeroSendsNoRequest() async {
        let shell = ShellHarness()
        #expect(await shell.run("SELECT state, COUNT(*) FROM people.people GROUP BY state LIMIT 0") == 0)
        #expect(shell.transport.sent.isEmpty)
    }

    @Test func theGuardStopsABlockingOperatorBeforeMemoryRunsOut() async {
        let shell = ShellHarness(maxLocalRows: 5)
        let status = await shell.run("SELECT city, COUNT(*) FROM people.people GROUP BY city")
        #expect(status == 75)
        #expect(shell.errorText.contains("GROUP BY would hold more than 5 rows in memory (--max-local-rows); stopped"))
        #expect(await ShellHarness(maxLocalRows: 5).run("SELECT * FROM people.people ORDER BY lower(city)") == 75)
        #expect(await ShellHarness(maxLocalRows: 5).run("SELECT * FROM people.people ORDER BY lower(city) LIMIT 3") == 0)
        let distinct = ShellHarness(maxLocalRows: 5)
        #expect(await distinct.run("SELECT DISTINCT city FROM people.people") == 75)
        #expect(distinct.errorText.contains("DISTINCT would hold more than 5 rows"))
    }

    @Test func aLocalLimitThatIsMetStopsFetching() async {
        let shell = ShellHarness(format: .csv)
        #expect(await shell.run("SELECT DISTINCT gender FROM people.people LIMIT 2") == 0)
        #expect(shell.output.split(whereSeparator: \.isNewline).count == 3)
        // 1,200 people in pages of 100 is 12 requests; two distinct genders show up on the first.
        #expect(shell.transport.sent.count == 1)
    }

    @Test func computedValuesKeepTheirTypesInJSON() async {
        let shell = ShellHarness(format: .ndjson)
        let status = await shell.run("""
            SELECT id, max_capacity > 20 AS big, capacity_usage * 1.5 AS weighted, capacity_usage / 2 AS half,
                   CASE WHEN archived = true THEN 'archived' END AS state, upper(name) AS name
            FROM services.service_offerings ORDER BY id LIMIT 2
            """)
        #expect(status == 0, "\(shell.errorText)")
        let first = shell.output.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix(#"{"id":"SVC-0001","big":"#))
        #expect(first.contains(#""weighted":"#) && first.contains(".") && !first.contains(#""weighted":""#))
        #expect(first.contains(#""state":null"#) || first.contains(#""state":"archived""#))
    }

    @Test func aRowThatCannotBeComputedStopsWithItsPosition() async {
        let shell = ShellHarness(terminal: true)
        let status = await shell.run("SELECT id, 10 / (max_capacity - max_capacity) FROM services.service_offerings")
        #expect(status == 65)
        #expect(shell.errorText.contains("error: division by zero"))
        #expect(shell.errorText.contains("^"))
    }

    @Test func explainAnalyzeRunsAndSaysWhatHappened() async {
        let shell = ShellHarness()
        let status = await shell.run("EXPLAIN ANALYZE SELECT county, COUNT(*) FROM cases.cases WHERE lower(status) = 'open' GROUP BY county ORDER BY 2 DESC LIMIT 3")
        #expect(status == 0, "\(shell.errorText)")
        let text = shell.output
        #expect(text.contains("local plan (cbq computes it"))
        #expect(text.contains("actual ("))
        #expect(text.contains("requests    6 requests, 6 pages"), "\(text)")
        #expect(text.contains("received    600 rows from the API"))
        #expect(text.contains("aggregate   "))
        #expect(text.contains("sort        "))
        #expect(text.contains("result      3 rows"))
        // No result rows are printed.
        #expect(!text.contains("(3 rows)"))
    }

    @Test func eachTypedStatementReadsTheClockAnew() async {
        let shell = ShellHarness(format: .csv)
        let ticks = Mutex(0)
        shell.session.clock = { ticks.withLock { $0 += 86_400; return Instant(seconds: $0) } }
        await shell.type("SELECT current_date AS d FROM people.people LIMIT 1;", "SELECT current_date AS d FROM people.people LIMIT 1;")
        #expect(shell.output.contains("1970-01-02") && shell.output.contains("1970-01-03"), "\(shell.output)")
    }

    @Test func explainAnalyzeCountsRetriesAndTheirWaits() async {
        var sandbox = SandboxOptions()
        sandbox.failEvery = 3
        let shell = ShellHarness(sandbox: sandbox)
        #expect(await shell.run("EXPLAIN ANALYZE SELECT status, COUNT(*) FROM cases.cases GROUP BY status") == 0, "\(shell.errorText)")
        let line = shell.output.split(separator: "\n").first { $0.contains("requests    ") }.map(String.init) ?? ""
        // 6 pages; every third request fails once and is retried.
        #expect(line.contains("6 pages"), "\(line)")
        #expect(line.contains("2 retries") || line.contains("3 retries"), "\(line)")
        #expect(!line.contains(" 0.000 s waiting"), "\(line)")
    }

    @Test func nowComesFromTheSessionsClock() async {
        let shell = ShellHarness(format: .csv)
        #expect(await shell.run("SELECT now() AS t, current_date AS d FROM people.people LIMIT 1") == 0)
        #expect(shell.output == "t,d\r\n2026-12-01T09:30:00Z,2026-12-01\r\n")
    }
}

/// The local sort's three ways of holding rows (output bytes for JSON, page spans for other
/// formats of `SELECT *`, values for computed columns), and its top-N trimming, against a
/// sort of the sandbox's own records.
struct LocalSortTests {
    static let notes = SandboxData.generate(seed: SandboxOptions().seed)[SandboxData.notes.path]!

    /// note_type DESC NULLS LAST, then subject, then id: the expected ids, OFFSET 5 LIMIT 7.
    static var expected: [String] {
        let sorted = notes.sorted { a, b in
            let x = a[attribute: "note_type"].stringValue, y = b[attribute: "note_type"].stringValue
            if x != y {
                guard let x else { return false }
                guard let y else { return true }
                return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8)) == false && x != y
            }
            let s = a[attribute: "subject"].stringValue!.lowercased(), t = b[attribute: "subject"].stringValue!.lowercased()
            if s != t { return Array(s.utf8).lexicographicallyPrecedes(Array(t.utf8)) }
            return Array(a.id.utf8).lexicographicallyPrecedes(Array(b.id.utf8))
        }
        return Array(sorted.dropFirst(5).prefix(7).map(\.id))
    }

    static let query = "SELECT * FROM attachments.notes ORDER BY note_type DESC NULLS LAST, lower(subject), id LIMIT 7 OFFSET 5"

    @Test(arguments: [OutputFormat.ndjson, .csv, .json])
    func sortedRowsMatchAnIndependentSort(format: OutputFormat) async throws {
        let shell = ShellHarness(format: format)
        #expect(await shell.run(Self.query) == 0, "\(shell.errorText)")
        let ids = shell.output.matches(of: /NTE-\d+/).map { String($0.output) }
        // Each row once (CSV and JSON mention only the id column's value).
        #expect(Array(NSOrderedSetLike(ids)) == Self.expected)
    }

    @Test func computedColumnsSortTheSameWay() async {
        let shell = ShellHarness(format: .csv)
        #expect(await shell.run("SELECT id, lower(subject) AS s FROM attachments.notes ORDER BY note_type DESC NULLS LAST, s, id LIMIT 7 OFFSET 5") == 0)
        let ids = shell.output.split(whereSeparator: \.isNewline).dropFirst().map { String($0.prefix { $0 != "," }) }
        #expect(ids == Self.expected)
    }

    @Test func everyRowSortedWithoutALimit() async {
        let shell = ShellHarness(format: .ndjson)
        #expect(await shell.run("SELECT * FROM attachments.notes ORDER BY created_at DESC NULLS FIRST, id") == 0)
        let lines = shell.output.split(separator: "\n")
        #expect(lines.count == 2_000)
        let expected = Self.notes.sorted { a, b in
            let x = a[attribute: "created_at"].stringValue!, y = b[attribute: "created_at"].stringValue!
            return x != y ? x > y : a.id < b.id
        }
        #expect(lines.map { String($0.firstMatch(of: /NTE-\d+/)!.output) } == expected.map(\.id))
    }
}

/// Keeps first occurrences, in order.
private func NSOrderedSetLike(_ items: [String]) -> [String] {
    var seen: Set<String> = []
    return items.filter { seen.insert($0).inserted }
}
