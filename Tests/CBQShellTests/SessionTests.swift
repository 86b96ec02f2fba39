#if canImport(Glibc)
import Glibc
#endif
import CBQCore
import CBQRuntime
import CBQSandbox
import Testing
@testable import CBQShell

/// Statements through the session, in-process: output, errors, exit statuses.
@Suite(.timeLimit(.minutes(1)))
struct SessionTests {
    @Test func aQueryPrintsAPsqlTable() async {
        let shell = ShellHarness()
        let status = await shell.run("SELECT first_name, last_name FROM people.people WHERE last_name LIKE 'Doe' LIMIT 2")
        #expect(status == 0)
        #expect(shell.output == """
             first_name | last_name
            ------------+-----------
             Isabella   | Doe
             Priya      | Doe
            (2 rows)

            """)
        #expect(shell.errorText == "")
    }

    @Test func consecutiveTablesAreSeparatedByABlankLine() async {
        let shell = ShellHarness(format: .csv)
        await shell.run("SELECT COUNT(*) FROM cases.cases; SELECT COUNT(*) AS n FROM providers.providers;")
        #expect(shell.output == "count\r\n600\r\nn\r\n60\r\n")
        let table = ShellHarness()
        await table.run("SELECT COUNT(*) FROM cases.cases; SELECT COUNT(*) FROM providers.providers;")
        #expect(table.output.contains("(1 row)\n\n count"))
    }

    @Test func explainPrintsThePlanAndSendsNothing() async {
        let shell = ShellHarness()
        let status = await shell.run("EXPLAIN SELECT * FROM people.people WHERE state IN ('CA', 'NY')")
        #expect(status == 0)
        #expect(shell.output.hasPrefix("GET http://sandbox.test/people/people?page[size]=100\n"))
        #expect(shell.output.contains("evaluated locally"))
        #expect(shell.transport.sent.isEmpty)
    }

    /// On a terminal or not: a `file:line:col: error:` line, then the source line and a caret.
    @Test func aSyntaxErrorShowsItsLineAndCaretOnATerminalOrNot() async {
        let expected = """
            report.cbq:1:40: error: expected a value after '>'
              |
            1 | SELECT * FROM people.people WHERE age >
              |                                        ^ expected a number, string or column name

            """
        let plain = ShellHarness()
        #expect(await plain.run("SELECT * FROM people.people WHERE age >", name: "report.cbq") == SysExit.dataError)
        #expect(plain.errorText == expected)
        let rich = ShellHarness(terminal: true)
        await rich.run("SELECT * FROM people.people WHERE age >", name: "report.cbq")
        #expect(rich.errorText == expected)
        #expect(plain.transport.sent.isEmpty && rich.transport.sent.isEmpty)
    }

    @Test func aScriptStopsAtTheFirstFailureUnlessToldToGoOn() async {
        let script = "SELECT COUNT(*) FROM cases.cases; SELECT nope FROM; SELECT COUNT(*) FROM providers.providers;"
        let stopping = ShellHarness(format: .csv)
        #expect(await stopping.run(script) == SysExit.dataError)
        #expect(stopping.output == "count\r\n600\r\n")
        let going = ShellHarness(format: .csv)
        going.session.continueOnError = true
        #expect(await going.run(script) == SysExit.dataError)
        #expect(going.output == "count\r\n600\r\ncount\r\n60\r\n")
    }

    @Test func anAPIRejectionPointsAtTheConditionAndExits65() async {
        let shell = ShellHarness()
        let status = await shell.run("SELECT * FROM people.people WHERE last_name = 'Doe' AND shoe_size > 3")
        #expect(status == SysExit.dataError)
        #expect(shell.output == "")
        let lines = shell.errorText.split(separator: "\n").map(String.init)
        #expect(Array(lines.prefix(5)) == [
            "<query>:1:57: error: the API answered 400 Bad Request to GET http://sandbox.test/people/people?filter%5Blast_name%5D=Doe&filter%5Bshoe_size%5D%5Bg%5D=3&page%5Bsize%5D=100",
            "  |",
            "1 | SELECT * FROM people.people WHERE last_name = 'Doe' AND shoe_size > 3",
            "  |                                                         ^^^^^^^^^^^^^ sent as filter[shoe_size][g]=3",
            "  = hint: check the column name and operator; `cbq explain` shows every parameter; until \\refresh people.people, cbq evaluates this condition itself",
        ])
        // The API's own words follow.
        #expect(lines.last?.contains("'shoe_size' is not an attribute of people") == true)
    }

    /// Each API failure points at the part of the statement it concerns.
    @Test(arguments: [
        ("SELECT * FROM people.peopel", "1 | SELECT * FROM people.peopel", "  |               ^^^^^^^^^^^^^ answered 404 Not Found",
         "did you mean 'people.people'?"),
        ("SELECT first_name FROM people.people ORDER BY shoe_size DESC", "1 | SELECT first_name FROM people.people ORDER BY shoe_size DESC",
         "  |                                               ^^^^^^^^^^^^^^ sent as sort=-shoe_size", "check the column name"),
    ])
    func apiFailuresPointWhereTheyBelong(text: String, line: String, caret: String, hint: String) async {
        let shell = ShellHarness()
        #expect(await shell.run(text, name: "report.cbq") == SysExit.dataError)
        let lines = shell.errorText.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("report.cbq:1:") == true, "\(shell.errorText)")
        #expect(lines.dropFirst(2).first == line)
        #expect(lines.dropFirst(3).first == caret, "\(shell.errorText)")
        #expect(lines.dropFirst(4).first?.contains(hint) == true, "\(shell.errorText)")
    }

    @Test func anyOtherFailurePointsAtTheStatement() async {
        var sandbox = SandboxOptions()
        sandbox.failEvery = 1
        let shell = ShellHarness(sandbox: sandbox)
        #expect(await shell.run("\n  SELECT * FROM people.people", name: "report.cbq") == SysExit.unavailable)
        let lines = shell.errorText.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("report.cbq:2:3: error: the API answered 503") == true, "\(shell.errorText)")
        #expect(lines.dropFirst(3).first == "  |   ^^^^^^ while running this statement")
    }

    @Test(arguments: [(401, SysExit.noPermission), (403, SysExit.noPermission), (404, SysExit.dataError), (422, SysExit.dataError),
                      (500, SysExit.unavailable), (503, SysExit.unavailable)] as [(Int, Int32)])
    func apiStatusesMapToExitStatuses(status: Int, exit: Int32) {
        #expect(SysExit.status(for: .api(status: status, method: "GET", url: "u", errors: [], attempts: 1)) == exit)
    }

    @Test func aGuardThatStopsTheFetchExits75AndSaysSo() async {
        var sandbox = SandboxOptions()
        sandbox.omitLinks = true
        let shell = ShellHarness(format: .csv, sandbox: sandbox, maxPages: 1)
        let status = await shell.run("SELECT id FROM people.people")
        #expect(status == SysExit.partial)
        #expect(shell.output.split(separator: "\r\n").count == 101, "the header and the one page's 100 rows")
        #expect(shell.errorText == """
            <query>:1:1: error: the result is incomplete: stopped after 1 pages (--max-pages); more pages remain
              |
            1 | SELECT id FROM people.people
              | ^^^^^^ while running this statement
              = hint: raise --max-pages, or narrow the query

            """)
    }

    @Test func parametersBindFromTheOptions() async {
        let shell = ShellHarness(format: .csv, parameters: ["name": .string("Doe")])
        await shell.run("SELECT COUNT(*) FROM people.people WHERE last_name = :name")
        let does = SandboxData.generate(seed: 1)[SandboxData.people.path]!.filter { $0[attribute: "last_name"] == .string("Doe") }
        #expect(does.count > 1)
        #expect(shell.output == "count\r\n\(does.count)\r\n")
        let unbound = ShellHarness()
        #expect(await unbound.run("SELECT * FROM people.people WHERE last_name = :nobody") == SysExit.dataError)
        #expect(unbound.errorText.contains("error: no value for parameter ':nobody'"))
    }
}

/// The token is found once per target: a script's statements do not read the token file again.
@Suite struct CredentialsTests {
    @Test func aTokenFileIsReadOncePerTarget() async throws {
        let path = "/tmp/cbq-token-once-\(UInt64.random(in: 0...UInt64.max))"
        defer { unlinkFile(path) }
        try writeText(path, "first\n")
        let shell = ShellHarness(target: .region(.us, tokenFile: path))
        #expect(try await shell.session.credentials().token(refresh: false) == "first")
        try writeText(path, "second\n")
        #expect(try await shell.session.credentials().token(refresh: false) == "first")
        // A new target finds its credentials anew.
        await shell.type("\\region us")
        #expect(try await shell.session.credentials().token(refresh: false) == "second")
    }

    @Test func aMissingTokenIsAskedForAgainAtTheNextStatement() async throws {
        let shell = ShellHarness(target: .region(.us))
        await shell.type("SELECT * FROM people.people LIMIT 1;", "SELECT * FROM people.people LIMIT 1;")
        #expect(shell.errorText.components(separatedBy: "error: no token for https://api.casebook.net: nothing was sent").count == 3)
        #expect(shell.transport.sent.isEmpty)
    }
}

/// Credentials stay out of sight: a token that is not one line is refused where it is read,
/// without quoting it, and a server that echoes a token back does not get it printed (both
/// found by a review: a two-line `pass` entry went into the header, and HTTP's refusal of the
/// header was printed with it).
@Suite struct SecretTests {
    /// Answers 401 with the request's Authorization header in its error, as debug pages do.
    static let echoingServer = InProcessTransport(answer: { request in
        let authorization = request.headers.first { $0.name == "Authorization" }?.value ?? "none"
        return HTTPReply(status: 401, body: Array(#"{"errors":[{"status":"401","detail":"header Authorization: \#(authorization) rejected"}]}"#.utf8))
    })

    @Test(arguments: [("PASS-SECRET-1\nlogin: me\n", "a line break"), ("TAB\tSECRET-2", "a control character"),
                      ("ONE SECRET-3", "a space"), ("CR-SECRET-4\r\nx", "a line break")])
    func aTokenOfMoreThanOneLineOrWordIsRefusedUnquoted(token: String, problem: String) async throws {
        let path = "/tmp/cbq-token-lines-\(UInt64.random(in: 0...UInt64.max))"
        defer { unlinkFile(path) }
        try writeText(path, token)
        let shell = ShellHarness(target: .region(.us, tokenFile: path))
        #expect(await shell.run("SELECT id FROM people.people LIMIT 1") == SysExit.noPermission)
        #expect(shell.errorText.contains("error: the token file '\(path)' has \(problem) inside it: it is not one token; nothing was sent"))
        #expect(!shell.errorText.contains("SECRET"))
        #expect(shell.transport.sent.isEmpty)
        let environment = ShellHarness(target: .region(.us), environment: ["CASEBOOK_TOKEN": token])
        #expect(await environment.run("SELECT id FROM people.people LIMIT 1") == SysExit.noPermission)
        #expect(environment.errorText.contains("error: $CASEBOOK_TOKEN has \(problem) inside it"), "\(environment.errorText)")
        #expect(!environment.errorText.contains("SECRET"))
    }

    @Test func anAccessTokenOfMoreThanOneLineIsRefused() async throws {
        let tokenURL = InProcessTransport(origin: "https://api.test", answer: { request in
            guard request.url.pathAndQuery.hasPrefix("/oauth2/token") else { return nil }
            return HTTPReply(status: 200, body: Array(#"{"access_token":"ACCESS-SECRET\nxyz","expires_in":3600}"#.utf8))
        })
        var target = try Target.base(url: "https://api.test")
        target.oauth = OAuthClient(tokenURL: "https://api.test/oauth2/token", clientID: "cbq", secretCommand: "echo client-secret")
        let shell = ShellHarness(target: target, transport: tokenURL)
        #expect(await shell.run("SELECT id FROM people.people LIMIT 1") == SysExit.noPermission)
        let errors = shell.errorText
        #expect(errors.contains("answered an access_token with a line break inside it; nothing was sent with it"), "\(errors)")
        #expect(!shell.errorText.contains("SECRET"))
        #expect(tokenURL.sent.count == 1)
    }

    @Test func aTokenFileOthersCanReadIsRefused() async throws {
        let path = "/tmp/cbq-token-open-\(UInt64.random(in: 0...UInt64.max))"
        defer { unlinkFile(path) }
        try writeText(path, "open-token\n")
        chmod(path, 0o644)
        let shell = ShellHarness(target: .region(.us, tokenFile: path))
        #expect(await shell.run("SELECT id FROM people.people LIMIT 1") == SysExit.noPermission)
        #expect(shell.errorText.contains("error: the token file '\(path)' can be read by others than its owner: not used"))
        #expect(shell.transport.sent.isEmpty)
    }

    @Test func aTokenTheServerEchoesIsNotPrinted() async throws {
        let path = "/tmp/cbq-token-echo-\(UInt64.random(in: 0...UInt64.max))"
        defer { unlinkFile(path) }
        try writeText(path, "ECHOED-SECRET-TOKEN\n")
        let shell = ShellHarness(target: .region(.us, tokenFile: path), transport: Self.echoingServer)
        #expect(await shell.run("SELECT id FROM people.people LIMIT 1") != 0)
        #expect(shell.errorText.contains("header Authorization: Bearer •••• rejected"), "\(shell.errorText)")
        #expect(!shell.errorText.contains("ECHOED-SECRET-TOKEN"))
    }
}
