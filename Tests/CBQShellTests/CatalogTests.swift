import CBQCore
import CBQRuntime
import CBQSandbox
import Testing
@testable import CBQShell

/// The schema catalog: what `\d`, `\d+` and `\refresh` show, the columns the planner checks
/// before sending, and the filters a server refused, remembered.
struct CatalogTests {
    static let learnedAt = Instant("2026-12-01T09:30:00Z")!

    /// A shell on the in-process sandbox whose catalog knows people.people from the start,
    /// as `cbq --sandbox` does.
    static func shell(sandbox: SandboxOptions = SandboxOptions()) async -> ShellHarness {
        let shell = ShellHarness(sandbox: sandbox)
        shell.session.catalogClock = { learnedAt }
        await shell.session.learnSchema(of: ["people.people", "cases.cases"])
        return shell
    }

    @Test func describeListsEndpointsWithTheirTotalsAndSaysWhereFactsCameFrom() async {
        let shell = await Self.shell()
        await shell.type("\\d", "\\d people.people", "\\d+ people.people")
        let output = shell.output
        #expect(output.contains(" people.people              | people |      15 | 1200\n"), "\(output)")
        #expect(output.contains(" cases.cases                | cases  |      12 |  600\n"))
        #expect(output.contains(" intake.reports             |        |         |     \n"))
        #expect(output.contains("Endpoint people.people (type people; 1200 rows in all; types from 100 rows seen)\n"))
        #expect(output.contains(" created_at         | timestamp | \n"))
        #expect(output.contains("Columns and types: from the sandbox's schema, 2026-12-01 09:30:00Z; every column (a misspelling of one is an error before sending)"))
        #expect(output.contains("Rows in all: 1200, from an unfiltered read, 2026-12-01 09:30:00Z"))
    }

    /// In the shell, with the endpoint's columns known, a misspelt column is an error at it
    /// before any request; a script checks the first page's rows instead (no cache can fail it).
    @Test func anUnknownColumnIsAnErrorBeforeAnythingIsSent() async {
        let shell = await Self.shell()
        let before = shell.transport.sent.count
        await shell.type("SELECT frist_name FROM people.people WHERE last_name = 'Doe';")
        #expect(shell.transport.sent.count == before, "nothing sent")
        #expect(shell.errorText.contains("column 'frist_name' does not exist in people.people"))
        #expect(shell.errorText.contains("not among its 15 columns (\\d people.people lists them)"))
        #expect(shell.errorText.contains("did you mean 'first_name'?"))
        // A join's side and a qualified column are checked alike.
        await shell.type("SELECT c.id FROM cases.cases c JOIN people.people p ON p.id = c.person_id WHERE p.lastname = 'Doe';")
        #expect(shell.transport.sent.count == before)
        #expect(shell.errorText.contains("column 'lastname' does not exist in people.people"))
        // A name near no column may be one the server leaves out when null: the first page decides.
        await shell.type("SELECT shoe_size FROM people.people LIMIT 1;")
        #expect(shell.transport.sent.count == before + 1)
        #expect(shell.errorText.contains("column 'shoe_size' does not exist in people.people") && shell.errorText.contains("no row of the first page has it"))
        // A column a pushed IS NULL tests may be absent from the rows: no error.
        await shell.type("SELECT id FROM people.people WHERE nickname IS NULL LIMIT 1;")
        #expect(!shell.errorText.contains("'nickname' does not exist"))
        let script = await Self.shell()
        let sentBefore = script.transport.sent.count
        #expect(await script.run("SELECT frist_name FROM people.people;") != 0)
        #expect(script.transport.sent.count == sentBefore + 1, "a script finds it on the first page")
        #expect(script.errorText.contains("no row of the first page has it"))
    }

    /// A filter the server answers 400 for is remembered: the statement again runs it
    /// locally and says so; `\d+` shows it; `\refresh` forgets it.
    @Test func aFilterTheServerRejectedRunsLocallyNextTime() async {
        var options = SandboxOptions()
        options.rejectedFilters = ["last_name"]
        let shell = await Self.shell(sandbox: options)
        let query = "SELECT id FROM people.people WHERE last_name = 'Doe' ORDER BY id;"
        await shell.type(query)
        #expect(shell.errorText.contains("answered 400"))
        #expect(shell.errorText.contains("; until \\refresh people.people, cbq evaluates this condition itself"))
        #expect(!shell.output.contains("PER-"))
        let sent = shell.transport.sent.count
        await shell.type(query, "\\d+ people.people")
        // The same rows as a server that filters gives.
        let honest = ShellHarness()
        await honest.type(query)
        let ids = { (text: String) in text.split(separator: "\n").filter { $0.hasPrefix(" PER-") } }
        #expect(!ids(honest.output).isEmpty && ids(shell.output) == ids(honest.output), "\(shell.output)\(shell.errorText)")
        #expect(shell.transport.sent.dropFirst(sent).allSatisfy { !$0.url.description.contains("last_name") })
        #expect(shell.errorText.contains("note: cbq evaluates last_name = 'Doe' itself: the server answered 400 to filter[last_name] before"))
        #expect(shell.output.contains("Filter filter[last_name]: answered 400, 2026-12-01 09:30:00Z; evaluated locally since"))
        await shell.type("\\explain " + query)
        #expect(shell.output.contains("the server answered 400 to filter[last_name] before (\\refresh people.people forgets that)"))
        await shell.type("\\refresh people.people", query)
        #expect(shell.transport.sent.last?.url.description.contains("last_name") == true, "sent again after \\refresh")
    }

    /// `\refresh` asks for one page and learns anew: a column the API added since shows.
    @Test func refreshLearnsAnEndpointAnew() async {
        let shell = await Self.shell()
        shell.session.catalog.forget(endpoint: "people.people")
        shell.session.catalog.learn(endpoint: "people.people", columns: ["id", "first_name"])
        let sent = shell.transport.sent.count
        await shell.type("\\refresh people.people")
        #expect(shell.transport.sent.count == sent + 1)
        #expect(shell.output.contains(" date_of_birth      | date      | \n"))
        #expect(shell.session.catalog.facts(of: "people.people")?.learnedFrom == "\\refresh")
        await shell.type("\\refresh nothing.here")
        #expect(shell.errorText.contains("404"))
    }

    /// What the cache keeps comes back whole: columns, kinds, totals, rejected filters, times.
    @Test func theCacheKeepsEveryFact() async {
        var options = SandboxOptions()
        options.rejectedFilters = ["state"]
        let shell = await Self.shell(sandbox: options)
        await shell.type("SELECT id FROM people.people WHERE state = 'ID';")
        let restored = Catalog()
        restored.restore((try? JSONParser.parse(JSONWriter.serialize(shell.session.catalog.snapshot()))) ?? .null)
        for endpoint in ["people.people", "cases.cases"] {
            #expect(restored.facts(of: endpoint) == shell.session.catalog.facts(of: endpoint))
        }
        #expect(restored.rejectedFilters == ["people.people": ["filter[state]"]])
        #expect(restored.knownColumns["people.people"]?.count == 15)
    }
}
