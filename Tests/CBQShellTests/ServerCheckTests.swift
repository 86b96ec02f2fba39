import CBQCore
import CBQRuntime
import CBQSandbox
import Testing
@testable import CBQShell

/// A server that ignores a parameter it does not know answers with the wrong rows and a 200.
/// The pager checks every answer: each against a sandbox that ignores that parameter.
@Suite(.timeLimit(.minutes(1)))
struct ServerCheckTests {
    private func sandbox(ignoring filters: Set<String> = [], page: Bool = false, sort: Bool = false) -> SandboxOptions {
        var options = SandboxOptions()
        options.ignoredFilters = filters
        options.ignoresPageNumber = page
        options.ignoresSort = sort
        return options
    }

    /// A server that ignores `sort` answers in its own order (the sandbox's: by id): the rows,
    /// and which rows a LIMIT keeps, would be wrong. Every row's order is checked, within a
    /// page and across pages, and a LIMIT of three still reads a page of twenty to check.
    @Test(arguments: [
        ("SELECT id, last_name FROM people.people ORDER BY last_name DESC, id LIMIT 3", 1, "sort=-last_name,id"),
        ("SELECT id, last_name FROM people.people ORDER BY last_name LIMIT 1", 8, "sort=last_name"),
        ("SELECT id FROM people.people ORDER BY id DESC", 8, "sort=-id"),
        ("SELECT id, status FROM cases.cases WHERE status = 'open' ORDER BY opened_at", 4, "sort=opened_at"),
        ("SELECT * FROM people.people ORDER BY created_at DESC LIMIT 250", 8, "sort=-created_at"),
    ])
    func aSortTheServerIgnoredIsAnErrorNotItsOrder(statement: String, concurrency: Int, parameter: String) async {
        let shell = ShellHarness(format: .csv, sandbox: sandbox(sort: true), concurrency: concurrency)
        #expect(await shell.run(statement) == SysExit.dataError)
        #expect(shell.output == "", "the first page is out of order: no row of it is shown")
        #expect(shell.errorText.contains("error: the API returned rows out of the order \(parameter) asks for ("), "\(shell.errorText)")
        #expect(shell.errorText.contains("sent as \(parameter)"))
        #expect(shell.errorText.contains("--server-sort off (\\serversort off in the shell) sorts here instead"))
        // The same statement on a server that sorts answers, and with --server-sort off the
        // server that does not gives the same rows, sorted here.
        let honest = ShellHarness(format: .csv, concurrency: concurrency)
        #expect(await honest.run(statement) == 0)
        #expect(honest.errorText == "")
        var dialect = Dialect.guide
        dialect.sort = .off
        let local = ShellHarness(target: .sandbox(at: InProcessTransport.baseURL, dialect: dialect), format: .csv,
                                 sandbox: sandbox(sort: true), concurrency: concurrency)
        #expect(await local.run(statement) == 0)
        #expect(local.output == honest.output && !honest.output.isEmpty)
        #expect(!local.transport.sent.contains { $0.url.description.contains("sort=") })
    }

    /// `--server-sort trusted` takes the server's order unchecked, as the user said to: for a
    /// server that sorts by what the rows do not show. (Against one that ignores sort, that is
    /// its own order: which is why it is not the default.)
    @Test func aTrustedSortIsNotChecked() async {
        var dialect = Dialect.guide
        dialect.sort = .trusted
        let shell = ShellHarness(target: .sandbox(at: InProcessTransport.baseURL, dialect: dialect), format: .csv, sandbox: sandbox(sort: true))
        #expect(await shell.run("SELECT id FROM people.people ORDER BY id DESC LIMIT 3") == 0)
        #expect(shell.output == "id\r\nPER-00001\r\nPER-00002\r\nPER-00003\r\n")
        #expect(shell.transport.sent.map(\.url.description) == ["http://sandbox.test/people/people?sort=-id&page%5Bsize%5D=3"])
    }

    /// A disorder that only shows across pages: every page sorted in itself, the pages not.
    @Test func aSortIsCheckedAcrossPages() async {
        var options = SandboxOptions()
        options.ignoresSort = true
        let pagesSortedAlone = InProcessTransport(options: options, alter: { body in
            // Each page's rows sorted by id, descending: every page is in order, page two's first row is not.
            guard var document = try? JSONParser.parse(body), case .object(var members) = document,
                  let index = members.firstIndex(where: { $0.key == "data" }), case .array(let rows) = members[index].value else { return body }
            members[index].value = .array(rows.reversed())
            document = .object(members)
            return Array(JSONWriter.serialize(document).utf8)
        })
        let shell = ShellHarness(format: .csv, transport: pagesSortedAlone)
        #expect(await shell.run("SELECT id FROM people.people ORDER BY id DESC") == SysExit.dataError)
        #expect(shell.errorText.contains("(PER-00001 came before PER-00200, but id DESC puts PER-00200 first; 1 of 100 neighbouring rows are out of order on that page)"), "\(shell.errorText)")
        #expect(shell.output.split(separator: "\r\n").count == 101, "page one, in order, streamed; then the error")
    }

    @Test(arguments: [
        ("SELECT id, state FROM people.people WHERE state = 'WA'", "state", "filter[state]=WA"),
        ("SELECT id FROM people.people WHERE state = 'WA' AND last_name LIKE 'Doe'", "last_name", "filter[last_name][like]=Doe"),
        ("SELECT id FROM services.service_offerings WHERE max_capacity >= 30", "max_capacity", "filter[max_capacity][ge]=30"),
        ("SELECT id FROM people.people WHERE middle_name IS NULL", "middle_name", "filter[middle_name]=null"),
        ("SELECT COUNT(*) FROM cases.cases WHERE status = 'open'", "status", "filter[status]=open"),
    ])
    func aFilterTheServerIgnoredIsAnErrorNotItsRows(statement: String, field: String, parameter: String) async {
        let shell = ShellHarness(format: .csv, sandbox: sandbox(ignoring: [field]))
        #expect(await shell.run(statement) == SysExit.dataError)
        #expect(shell.output == "", "no row of an unfiltered answer is shown")
        #expect(shell.errorText.contains("error: the API returned rows that do not satisfy \(parameter) ("))
        #expect(shell.errorText.contains("sent as \(parameter)"))
        // The same statement on a server that applies the filter answers.
        let honest = ShellHarness(format: .csv)
        #expect(await honest.run(statement) == 0)
    }

    @Test(arguments: [1, 8])
    func aPageNumberTheServerIgnoredIsAnError(concurrency: Int) async {
        let shell = ShellHarness(format: .csv, sandbox: sandbox(page: true), concurrency: concurrency)
        #expect(await shell.run("SELECT id FROM people.people") == SysExit.dataError)
        #expect(shell.errorText.contains("error: the API answered page 2 of this read (http://sandbox.test/people/people?page[size]=100&page=2) "
                                         + "with rows it had already sent: it did not honour the page asked for"))
        #expect(shell.errorText.contains("the result would repeat rows and miss others"))
        #expect(shell.output.split(separator: "\r\n").count <= 101, "at most the first page, and said to be partial")
    }

    /// A null a server leaves out is NULL (it satisfies IS NULL, and a server that returned it
    /// under any other filter ignored that filter); a column a sparse fieldset leaves out says
    /// nothing.
    @Test func columnsARowLeavesOutAreNullUnlessTheFieldsetOmittedThem() async {
        let omittingNulls = InProcessTransport(alter: { body in
            Array(String(decoding: body, as: UTF8.self).replacing(#","middle_name":null"#, with: "").utf8)
        })
        let shell = ShellHarness(format: .csv, transport: omittingNulls)
        #expect(await shell.run("SELECT COUNT(*) AS n FROM people.people WHERE middle_name IS NULL AND state = 'WA'") == 0)
        #expect(shell.errorText == "")
        var ignoring = SandboxOptions()
        ignoring.ignoredFilters = ["middle_name"]
        let ignored = ShellHarness(format: .csv, transport: InProcessTransport(options: ignoring, alter: { body in
            Array(String(decoding: body, as: UTF8.self).replacing(#","middle_name":null"#, with: "").utf8)
        }))
        #expect(await ignored.run("SELECT id FROM people.people WHERE middle_name IS NOT NULL") == SysExit.dataError)
        #expect(ignored.errorText.contains("do not satisfy filter[middle_name][neq]=null"))
        let sparse = ShellHarness(format: .csv, sparseFieldsets: true)
        #expect(await sparse.run("SELECT first_name FROM people.people WHERE state = 'WA' AND last_name LIKE 'Doe'") == 0)
        #expect(sparse.output.hasPrefix("first_name\r\n"))
        #expect(sparse.errorText == "")
    }

    /// A server that wants paths to end with '/' redirects; cbq follows no redirect and says
    /// which setting fixes it, and with it, reads and writes work.
    @Test func aTrailingSlashRedirectNamesTheSettingThatFixesIt() async {
        var options = SandboxOptions()
        options.redirectsToTrailingSlash = true
        let transport = InProcessTransport(options: options)
        let plain = ShellHarness(format: .csv, transport: transport)
        #expect(await plain.run("SELECT COUNT(*) FROM cases.cases") == SysExit.dataError)
        #expect(plain.errorText.contains("the API wants paths that end with '/'"))
        #expect(plain.errorText.contains("pass --trailing-slash"))
        var dialect = Dialect.guide
        dialect.trailingSlash = true
        let slashed = ShellHarness(target: .sandbox(at: InProcessTransport.baseURL, dialect: dialect), format: .csv, transport: transport)
        #expect(await slashed.run("""
            SELECT id FROM people.people WHERE state = 'WA' LIMIT 2 OFFSET 150;
            SELECT id FROM people.people WHERE id = 'PER-00001';
            UPDATE people.people SET city = 'x' WHERE id = 'PER-00002';
            SELECT COUNT(*) FROM attachments.notes WHERE note_type = 'visit';
            """) == 0, "\(slashed.errorText)")
        #expect(slashed.output.contains("PER-00001\r\n") && slashed.errorText.contains("UPDATE 1\n"))
        #expect(transport.sent.filter { $0.method != .get || !$0.url.pathAndQuery.contains("cases") }.allSatisfy { $0.url.pathAndQuery.split(separator: "?")[0].hasSuffix("/") })
    }

    /// Sparse fieldsets ask for the pushed filters' columns too, so that a filter the server
    /// ignored is still caught (found by a review: with --fields, 1200 rows for 411, exit 0).
    @Test func sparseFieldsetsKeepTheFiltersColumnsToJudgeBy() async {
        var ignoring = SandboxOptions()
        ignoring.ignoredFilters = ["gender"]
        let shell = ShellHarness(format: .csv, sparseFieldsets: true, transport: InProcessTransport(options: ignoring))
        #expect(await shell.run("SELECT first_name FROM people.people WHERE gender = 'female'") == 65)
        #expect(shell.errorText.contains("do not satisfy filter[gender]=female"), "\(shell.errorText)")
        #expect(shell.transport.sent.first?.url.pathAndQuery.contains("fields%5Bpeople%5D=first_name,gender") == true,
                "\(shell.transport.sent.first?.url.pathAndQuery ?? "")")
    }

    /// Text that stands for a number or a time is not judged on reads (a server compares it as
    /// what it is); a write judges it all the same, and stops when in doubt.
    @Test func textThatMayBeANumberIsNotJudgedOnReadsButIsOnWrites() async {
        // A server that sends capacities as decimal strings, and filters them as numbers.
        let decimals = InProcessTransport(alter: { body in
            Array(String(decoding: body, as: UTF8.self).replacing(/"max_capacity":(\d+)/) { #""max_capacity":"\#($0.1).00""# }.utf8)
        })
        let read = ShellHarness(format: .csv, transport: decimals)
        #expect(await read.run("SELECT COUNT(*) AS n FROM services.service_offerings WHERE max_capacity > 9 AND archived = false") == 0)
        #expect(read.errorText == "")
        let write = ShellHarness(transport: decimals)
        #expect(await write.run("UPDATE services.service_offerings SET name = 'x' WHERE max_capacity > 9 AND archived = false") == SysExit.dataError)
        // "20.00" > 9 as a number, not as text: the write cannot know which the server meant.
        #expect(write.errorText.contains("the text '20.00' and the number 9 compare one way as text and another as numbers"), "\(write.errorText)")
        #expect(decimals.api.writeCount == 0)
    }

    /// A server whose database sorts NULLs first ascending (MySQL, SQLite): without NULLS
    /// FIRST/LAST, a sort sent to it places NULLs as it does (the SQL standard leaves the
    /// default to the implementation), in one block, and is no error; NULLS LAST places them
    /// here, sorting here, as PostgreSQL would.
    @Test(arguments: [1, 8])
    func nullsAreWhereTheServersDatabasePutsThemUnlessSaid(concurrency: Int) async {
        var low = SandboxOptions()
        low.nullsSortLow = true
        let server = ShellHarness(format: .csv, sandbox: low, concurrency: concurrency)
        #expect(await server.run("SELECT id, middle_name FROM people.people ORDER BY middle_name, id LIMIT 3") == 0)
        #expect(server.errorText == "" && server.output.hasPrefix("id,middle_name\r\n") && server.output.hasSuffix(",\r\n"), "\(server.output)")
        let said = ShellHarness(format: .csv, sandbox: low, concurrency: concurrency)
        #expect(await said.run("SELECT id, middle_name FROM people.people ORDER BY middle_name NULLS LAST, id LIMIT 3") == 0)
        #expect(!said.transport.sent.contains { $0.url.description.contains("sort=") })
        let postgres = ShellHarness(format: .csv, concurrency: concurrency)
        #expect(await postgres.run("SELECT id, middle_name FROM people.people ORDER BY middle_name, id LIMIT 3") == 0)
        #expect(said.output == postgres.output && !postgres.output.hasSuffix(",\r\n"), "\(postgres.output)")
    }

    /// A filter on a date or a timestamp that the server ignored: both the rows' values and the
    /// filter's are times, so they compare as instants, here as on any server, and are judged
    /// (before, any filter with a time in it was left unjudged, and a count of every row came
    /// back with exit 0).
    @Test(arguments: [
        ("SELECT COUNT(*) AS n FROM cases.cases WHERE created_at >= '2026-01-01T00:00:00Z' AND status = 'open'", "created_at"),
        ("SELECT COUNT(*) AS n FROM people.people WHERE date_of_birth >= '2000-01-01'", "date_of_birth"),
        ("SELECT COUNT(*) AS n FROM cases.cases WHERE opened_at < '2026-06-01T12:00:00+02:00'", "opened_at"),
    ])
    func aTimeFilterTheServerIgnoredIsAnError(statement: String, column: String) async {
        let ignoring = ShellHarness(format: .csv, sandbox: sandbox(ignoring: [column]))
        #expect(await ignoring.run(statement) == SysExit.dataError)
        #expect(ignoring.errorText.contains("error: the API returned rows that do not satisfy filter[\(column)]"), "\(ignoring.errorText)")
        let honest = ShellHarness(format: .csv)
        #expect(await honest.run(statement) == 0)
        #expect(honest.errorText == "" && honest.output.hasPrefix("n\r\n"))
    }

    /// A relationship filter the server ignored, on relationships sent as links only: a read
    /// cannot tell, a write refuses.
    @Test func aWriteJudgesWhatAReadCannot() async {
        var options = SandboxOptions()
        options.ignoredFilters = ["record"]
        let linksOnly = InProcessTransport(options: options, alter: { body in
            Array(String(decoding: body, as: UTF8.self).replacing(/"record":\{"data":(null|\{[^}]*\}),/, with: #""record":{"#).utf8)
        })
        let shell = ShellHarness(transport: linksOnly)
        #expect(await shell.run("DELETE FROM attachments.notes WHERE record = 'PER-00095'") == SysExit.dataError)
        #expect(shell.errorText.contains("filter[record]=PER-00095"))
        #expect(linksOnly.api.writeCount == 0)
    }
}
