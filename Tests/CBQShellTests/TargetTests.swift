import CBQCore
import CBQRuntime
import Testing
@testable import CBQShell

/// The target, built once, and the token policy that guards it.
struct TargetTests {
    @Test func eachKindOfTargetHasItsLabelAndDescription() throws {
        #expect(Target.region(.us).label == "us")
        #expect(Target.region(.ca).description == "Casebook Canada, https://api.casebookca.net")
        let base = try Target.base(url: "http://127.0.0.1:8080///")
        #expect(base.baseURL == "http://127.0.0.1:8080" && base.label == "127.0.0.1" && base.description == "http://127.0.0.1:8080")
        let sandbox = Target.sandbox(at: "http://127.0.0.1:5")
        #expect(sandbox.isSandbox && sandbox.label == "sandbox")
        #expect(sandbox.description == "the built-in sandbox at http://127.0.0.1:5 (generated data)")
        #expect(throws: ShellFailure(SysExit.usage, "--base-url cannot have a query or fragment: cbq adds the query")) {
            try Target.base(url: "https://x.test/?a=1")
        }
    }

    @Test func theTargetsBaseURLAndDialectOverrideThePlannersOptions() {
        var options = PlannerOptions()
        options.defaultPageSize = 7
        let planned = Target.region(.ca, dialect: .jsonAPI).plannerOptions(options)
        #expect(planned.baseURL == "https://api.casebookca.net" && planned.dialect == .jsonAPI && planned.defaultPageSize == 7)
    }

    func token(_ target: Target, environment: [String: String] = [:]) async throws -> String? {
        try await TokenPolicy.credentials(for: target, environment: { environment[$0] }).token(refresh: false)
    }

    @Test func theSandboxAndLoopbackNeedNoToken() async throws {
        #expect(try await token(.sandbox(at: "http://127.0.0.1:1")) == "sandbox")
        #expect(try await token(try .base(url: "http://127.0.0.1:8080")) == nil)
        #expect(try await token(try .base(url: "http://localhost:8080"), environment: ["CASEBOOK_TOKEN": " abc \n"]) == "abc")
    }

    @Test func aRealTargetWithoutATokenIsRefusedBeforeAnythingIsSent() async throws {
        await #expect(throws: ShellFailure(SysExit.noPermission, "no token for https://api.casebook.net: nothing was sent",
                                           hint: "export CASEBOOK_TOKEN=… or pass --token-file PATH, or --token-url and --client-id for OAuth (or try --sandbox)")) {
            _ = try await token(.region(.us), environment: ["CASEBOOK_TOKEN": "  "])
        }
        #expect(try await token(.region(.us), environment: ["CASEBOOK_TOKEN": "t0k"]) == "t0k")
    }

    @Test func aTokenNeverGoesOverPlainHTTPToAnotherHost() async throws {
        await #expect(throws: ShellFailure(SysExit.noPermission, "refusing to send the token over plain http to api.example.org", hint: "use an https:// base URL")) {
            _ = try await token(try .base(url: "http://api.example.org"), environment: ["CASEBOOK_TOKEN": "abc"])
        }
    }

    /// Loopback is a literal address: `127.attacker.example` is a name that resolves anywhere,
    /// and took the token over plain http (found by a review).
    @Test(arguments: [("http://127.0.0.1:1", true), ("http://127.255.0.9", true), ("http://localhost:8", true), ("http://[::1]:8", true),
                      ("http://127.attacker.invalid", false), ("http://127.0.0.1.example", false), ("http://127.0.0.256", false),
                      ("http://1270.0.0.1", false), ("http://127..0.1", false)])
    func loopbackIsALiteralAddress(url: String, loopback: Bool) async throws {
        #expect(RequestURL(url)?.isLoopback == loopback, "\(url)")
        if !loopback {
            await #expect(throws: ShellFailure.self) { _ = try await token(try .base(url: url), environment: ["CASEBOOK_TOKEN": "abcdef"]) }
        }
    }

    /// A base URL that no request can be made to is refused when it is given (it crashed at the
    /// first request, a core file holding the token), and one with a password in it is refused
    /// without quoting it.
    @Test func aBaseURLNoRequestCanUseIsRefusedAtOnce() {
        for url in ["http://127.0.0.1:180077", "http://127.0.0.1:0", "http://127.0.0.1:18007 ", "http://exa mple.org"] {
            #expect(throws: ShellFailure.self, "\(url)") { try Target.base(url: url) }
        }
        for url in ["https://ada:hunter2@api.example.org", "HTTPS://ada:hunter2@api.example.org", "ftp://ada:hunter2@x", "ada:hunter2@x"] {
            #expect(throws: ShellFailure(SysExit.usage, "--base-url has a user name or password in it: not used", hint: "credentials go in a token, never in the URL")) {
                try Target.base(url: url)
            }
        }
    }

    @Test func aTokenFileIsReadAndAnEmptyOrMissingOneIsAnError() async throws {
        let path = "/tmp/cbq-token-\(UInt64.random(in: 0...UInt64.max))"
        defer { unlinkFile(path) }
        try writeText(path, "from-file\n")
        #expect(try await token(.region(.us, tokenFile: path), environment: ["CASEBOOK_TOKEN": "from-env"]) == "from-file")
        try writeText(path, "\n")
        await #expect(throws: ShellFailure(SysExit.noPermission, "the token file '\(path)' is empty")) { _ = try await token(.region(.us, tokenFile: path)) }
        do {
            _ = try await token(.region(.us, tokenFile: "/nonexistent/token"))
            Issue.record("expected a failure")
        } catch let failure as ShellFailure {
            #expect(failure.status == SysExit.noInput && failure.message == "cannot read '/nonexistent/token': No such file or directory")
        }
    }

    @Test func theTokenIsSentAndNeverPrinted() async throws {
        let shell = ShellHarness(target: try .base(url: "https://api.casebook.net"), environment: ["CASEBOOK_TOKEN": "tok-do-not-print"])
        let status = await shell.run("SELECT * FROM people.people LIMIT 1; SELECT * FROM people.people WHERE nope = 1")
        #expect(status == SysExit.dataError)  // the second statement names no real column
        #expect(shell.transport.sent.count == 2)
        #expect(shell.transport.sent.allSatisfy { request in request.headers.contains { $0 == ("Authorization", "Bearer tok-do-not-print") } })
        #expect(!shell.output.contains("tok-do-not-print") && !shell.errorText.contains("tok-do-not-print"))
    }
}

/// Tab completion, from the catalog and the command table.
struct CompleterTests {
    let completer = Completer(catalog: Catalog())

    @Test func keywordsEndpointsAndCommands() {
        #expect(completer.candidates(word: "SEL", before: "") == .words(["SELECT"]))
        #expect(completer.candidates(word: "peo", before: "SELECT * FROM ") == .words(["people.people"]))
        #expect(completer.candidates(word: "\\for", before: "") == .words(["\\format"]))
        #expect(completer.candidates(word: "", before: "\\format ") == .words(OutputFormat.allCases.map(\.rawValue)))
        #expect(completer.candidates(word: "a", before: "\\x ") == .words(["auto"]))
        #expect(completer.candidates(word: "c", before: "\\region ") == .words(["ca"]))
        #expect(completer.candidates(word: "", before: "\\i ") == .files)
        #expect(completer.candidates(word: "att", before: "\\d ") == .words(["attachments.notes"]))
        #expect(completer.candidates(word: "ti", before: "\\help ") == .words(["timing"]))
    }

    @Test func functionsAndTheNewClauses() {
        #expect(completer.candidates(word: "date_t", before: "SELECT ") == .words(["date_trunc"]))
        #expect(completer.candidates(word: "DIST", before: "SELECT ") == .words(["DISTINCT"]))
        #expect(completer.candidates(word: "hav", before: "SELECT a FROM b.c GROUP BY a ") == .words(["having"]))
        #expect(completer.candidates(word: "NUL", before: "SELECT a FROM b.c ORDER BY a ") == .words(["NULL", "NULLS", "NULLIF"]))
    }

    @Test func columnsOfTheEndpointInTheStatement() {
        completer.catalog.learn(endpoint: "cases.cases", columns: ["id", "status", "opened_at"])
        completer.setPending("SELECT *\nFROM cases.cases")
        #expect(completer.candidates(word: "st", before: "WHERE ") == .words(["status"]))
    }

    @Test func joinedTablesTheirAliasesAndTheirColumns() {
        let completer = Completer(catalog: Catalog())
        completer.catalog.learn(endpoint: "cases.cases", columns: ["id", "status", "person_id"])
        completer.catalog.learn(endpoint: "people.people", columns: ["id", "first_name", "state"])
        let from = "SELECT c.id FROM cases.cases c JOIN people.people AS p ON p.id = c.person_id WHERE "
        #expect(completer.candidates(word: "peo", before: "SELECT * FROM cases.cases c JOIN ") == .words(["people.people"]))
        #expect(completer.candidates(word: "peo", before: "SELECT * FROM cases.cases c, ") == .words(["people.people"]))
        #expect(completer.candidates(word: "p.fi", before: from) == .words(["p.first_name"]))
        #expect(completer.candidates(word: "c.", before: from) == .words(["c.id", "c.status", "c.person_id"]))
        #expect(completer.candidates(word: "people.st", before: from) == .words(["people.state"]))
        // Unqualified: the columns of every table of the statement.
        #expect(completer.candidates(word: "st", before: from) == .words(["status", "state"]))
    }
}
