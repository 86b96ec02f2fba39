import CBQCore
import CBQRuntime
import CBQSandbox
import Testing
@testable import CBQShell

/// Each dialect preset end to end: cbq speaking it to a sandbox that speaks it gives the same
/// rows as the guide's spelling, over the generated analytic queries, asked in the dialect's own spellings.
@Suite(.serialized) struct DialectPresetTests {
    static let queries = DifferentialTests.generate().prefix(150).map(\.cbq) + [
        "SELECT COUNT(*) FROM people.people WHERE middle_name IS NULL AND state IN ('WA', 'OR')",
        "SELECT id FROM people.people WHERE middle_name IS NOT NULL AND last_name LIKE 'd%' ORDER BY id",
        "SELECT id FROM people.people WHERE last_name LIKE '%oe' OR last_name LIKE 'Do_' ORDER BY id",
        "SELECT id, max_capacity FROM services.service_offerings WHERE max_capacity BETWEEN 10 AND 25 AND name LIKE '%Care%' ORDER BY id",
        "SELECT id FROM cases.cases WHERE status != 'closed' AND county IN ('Ada', 'King') ORDER BY id LIMIT 7 OFFSET 3",
        "SELECT COUNT(*) FROM attachments.notes WHERE note_type IS NULL",
        "SELECT id FROM services.service_offerings WHERE capacity_usage > 30 ORDER BY id",
        // An IN list's items are read as the column's type, as `=` reads its value.
        "SELECT COUNT(*) FROM services.service_offerings WHERE max_capacity IN (20.0, 25)",
        "SELECT COUNT(*) FROM services.service_offerings WHERE archived IN ('FALSE')",
    ]

    /// Each query's status and output, and every query string sent (decoded).
    static func answers(_ dialect: Dialect) async -> (answers: [String], sent: [String]) {
        var options = SandboxOptions()
        options.dialect = dialect
        let transport = InProcessTransport(options: options)
        var answers: [String] = []
        for query in queries {
            let shell = ShellHarness(target: .sandbox(at: InProcessTransport.baseURL, dialect: dialect), format: .csv, transport: transport)
            let status = await shell.run(query)
            answers.append("\(status)\n\(shell.output)\(shell.errorText)")
        }
        return (answers, transport.sent.map { PercentEncoding.decode($0.url.pathAndQuery) ?? "" })
    }

    @Test(arguments: ["jsonapi", "drf"])
    func aPresetGivesTheGuidesRows(name: String) async throws {
        let dialect = try #require(Dialect.named.first { $0.name == name }?.dialect)
        let guide = await Self.answers(.guide).answers
        let (other, sent) = await Self.answers(dialect)
        for (index, query) in Self.queries.enumerated() {
            #expect(other[index] == guide[index], "\(name): \(query)")
        }
        #expect(guide.filter { $0.hasPrefix("0\n") }.count >= 150, "the queries run")
        // The rows agree because the server was asked in its own spelling, not because every
        // filter ran locally: each of the dialect's spellings went out.
        let spellings = name == "drf"
            ? [".gt]=", ".gte]=", ".lt]=", ".isnull]=true", ".isnull]=false", ".in]=", ".icontains]=", ".istartswith]=", "page[number]="]
            : ["][gt]=", "][lt]=", "][neq]=", "][like]=", "page[number]="]
        for spelling in spellings { #expect(sent.contains { $0.contains(spelling) }, "\(name) never sent \(spelling)") }
        if name == "drf" { #expect(!sent.contains { $0.contains("][") }, "drf spells no filter[f][op]") }
    }

    /// A dialect no preset has, defined as a table in config.toml: other filter keys, operator
    /// names, a NULL parameter of its own, page parameters and a total path. A sandbox speaking
    /// it gives the guide's rows, asked in its spellings; what it cannot say runs locally.
    @Test func aDialectDefinedInTheConfigFileGivesTheGuidesRows() async throws {
        let file = try ConfigFile.parse("""
            [profiles.odd.dialect]
            equal = "where[{field}][eq]"
            operator = "where[{field}__{op}]"
            operators = { gt = "above", ge = "atleast", le = "atmost", ne = "not" }
            like = "matches"
            in = "oneof"
            null = "where[{field}][missing]=yes"
            page_number = "p"
            page_size = "per_page"
            max_page_size = 40
            total = "meta.stats.found"
            past_end = "empty"
            """, path: "config.toml")
        let dialect = try #require(file.profiles["odd"]?.dialect)
        let guide = await Self.answers(.guide).answers
        let (odd, sent) = await Self.answers(dialect)
        for (index, query) in Self.queries.enumerated() {
            #expect(odd[index] == guide[index], "\(query)")
        }
        for spelling in ["][eq]=", "__above]=", "__atleast]=", "__atmost]=", "__not]=", "__matches]=", "__oneof]=", "][missing]=yes", "&p=2", "per_page="] {
            #expect(sent.contains { $0.contains(spelling) }, "never sent \(spelling)")
        }
        #expect(!sent.contains { $0.contains("filter[") || $0.contains("page[") })
    }

    @Test func drfSpellsWhatItCanAndLeavesTheRestLocal() throws {
        var options = PlannerOptions()
        options.dialect = .drf
        let plan = try Planner(options).planSelect("""
            SELECT * FROM people.people WHERE middle_name IS NULL AND city IS NOT NULL AND state IN ('WA', 'OR')
            AND last_name LIKE 'D%' AND first_name LIKE '%an%' AND email LIKE '%.org' AND gender LIKE 'female'
            AND date_of_birth >= '2000-01-01' AND date_of_birth < '2001-01-01' AND race != 'x' AND phone LIKE '5_5%'
            """)
        #expect(plan.initialURLs() == ["https://api.casebook.net/people/people?filter[middle_name.isnull]=true&filter[city.isnull]=false"
            + "&filter[state.in]=WA%2COR&filter[last_name.istartswith]=D&filter[first_name.icontains]=an&filter[email.iendswith]=.org"
            + "&filter[gender.iexact]=female&filter[date_of_birth.gte]=2000-01-01&filter[date_of_birth.lt]=2001-01-01&page[size]=100"])
        #expect(plan.local.map(\.text) == ["race != 'x'", "phone LIKE '5_5%'"])
        #expect(plan.totalPath == ["meta", "pagination", "count"])
        #expect(plan.url(page: 2).hasSuffix("&page[number]=2"))
    }

    /// The case that made the dialect matter: django-filter reads `filter[city]=null` as the
    /// text 'null' (no rows, and no row to contradict it); `isnull` finds them.
    @Test func drfFindsNullsWhereTheGuidesSpellingFindsNone() async {
        var options = SandboxOptions()
        options.dialect = .drf
        let transport = InProcessTransport(options: options)
        let drf = ShellHarness(target: .sandbox(at: InProcessTransport.baseURL, dialect: .drf), format: .csv, transport: transport)
        await drf.run("SELECT COUNT(*) AS n FROM people.people WHERE middle_name IS NULL")
        let guide = ShellHarness(format: .csv)
        await guide.run("SELECT COUNT(*) AS n FROM people.people WHERE middle_name IS NULL")
        #expect(drf.output == guide.output)
        #expect(drf.output != "n\r\n0\r\n")
        let misspoken = ShellHarness(target: .sandbox(at: InProcessTransport.baseURL, dialect: .guide), format: .csv, transport: transport)
        await misspoken.run("SELECT COUNT(*) AS n FROM people.people WHERE middle_name IS NULL")
        #expect(misspoken.output == "n\r\n0\r\n", "the hazard the drf preset exists for")
    }
}
