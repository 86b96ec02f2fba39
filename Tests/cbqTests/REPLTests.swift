import CBQCore
import CBQSandbox
import Foundation
import Testing

/// The interactive shell, driven through a real terminal.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct REPLTests {
    @Test func bannerAndPrompt() async throws {
        let session = try await TerminalSession.started(["--sandbox"])
        let screen = try await session.screen()
        #expect(screen.first?.hasPrefix("cbq 0.1.0, connected to the built-in sandbox at http://127.0.0.1:") == true)
        #expect(screen.joined().contains("\\help for help, \\q to quit."))
    }

    @Test func lineEditingMovesAndInserts() async throws {
        let session = try await TerminalSession.started(["--sandbox"])
        try await session.type("SELECT COUNT(*) FROM people.peple")
        try await session.press("Left", "Left", "Left")
        try await session.type("o")
        try await session.press("End")
        try await session.typeLine(";")
        #expect(try await session.waitForText("1200"))
        #expect(try await session.screen().contains { $0.contains("FROM people.people;") })
    }

    @Test func historyIsRecalledInTheNextSession() async throws {
        // Made here, as two sessions share it.
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("cbq-state-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: state) }
        let first = try await TerminalSession.started(["--sandbox"], stateFolder: state)
        try await first.typeLine("SELECT COUNT(*) FROM cases.cases;")
        #expect(try await first.waitForText("600"))
        try await first.typeLine("\\q")
        #expect(try await first.waitForText("[exited 0]"))
        let history = state.appendingPathComponent("cbq/history")
        let attributes = try FileManager.default.attributesOfItem(atPath: history.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        let second = try await TerminalSession.started(["--sandbox"], stateFolder: state)
        try await second.press("Up")  // \q
        try await second.press("Up")
        #expect(try await second.waitFor { $0.last == "cbq(sandbox)> SELECT COUNT(*) FROM cases.cases;" })
    }

    @Test func tabCompletesKeywordsEndpointsAndColumns() async throws {
        let session = try await TerminalSession.started(["--sandbox"])
        try await session.type("SEL")
        try await session.press("Tab")
        try await session.type("* FROM peo")
        try await session.press("Tab")
        #expect(try await session.waitFor { $0.last == "cbq(sandbox)> SELECT * FROM people.people" })
        try await session.typeLine(" LIMIT 1;")
        // Fifteen columns on 100 cells: records, as `\x auto` (the shell's default) prints them.
        #expect(try await session.waitForText("-[ RECORD 1 ]"))
        #expect(try await session.waitForPrompt())
        try await session.type("SELECT * FROM people.people WHERE first_n")
        try await session.press("Tab")
        #expect(try await session.waitFor { $0.last == "cbq(sandbox)> SELECT * FROM people.people WHERE first_name" })
        try await session.press("C-c")
        #expect(try await session.waitForPrompt())
        try await session.type("\\form")
        try await session.press("Tab")
        #expect(try await session.waitFor { $0.last == "cbq(sandbox)> \\format" })
    }

    /// A DELETE asks first, naming the count and the endpoint; "n" sends nothing, "y" deletes.
    @Test func aDeleteAsksFirstAndNoMeansNothingIsSent() async throws {
        let session = try await TerminalSession.started(["--sandbox"])
        try await session.typeLine("DELETE FROM attachments.notes WHERE id IN ('NTE-00001', 'NTE-00002');")
        #expect(try await session.waitFor { $0.last == "DELETE 2 rows from attachments.notes? [y/N] " || $0.last == "DELETE 2 rows from attachments.notes? [y/N]" })
        try await session.typeLine("n")
        #expect(try await session.waitForText("error: DELETE cancelled: nothing was sent"))
        #expect(try await session.waitForPrompt())
        try await session.typeLine("SELECT COUNT(*) FROM attachments.notes;")
        #expect(try await session.waitForText("2000"))
        try await session.typeLine("DELETE FROM attachments.notes WHERE id IN ('NTE-00001', 'NTE-00002');")
        #expect(try await session.waitForText("[y/N]"))
        try await session.typeLine("y")
        #expect(try await session.waitForText("DELETE 2"))
        try await session.typeLine("SELECT COUNT(*) FROM attachments.notes;")
        #expect(try await session.waitForText("1998"))
    }

    @Test func ctrlCClearsTheLineAndCtrlDQuits() async throws {
        let session = try await TerminalSession.started(["--sandbox"])
        try await session.typeLine("SELECT COUNT(*)")
        try await session.press("C-c")
        #expect(try await session.waitForPrompt())
        try await session.typeLine("SELECT COUNT(*) FROM cases.cases;")
        #expect(try await session.waitForText("600"), "the cleared line must not be prefixed to the next statement")
        #expect(try await session.waitForPrompt())
        try await session.press("C-d")
        #expect(try await session.waitForText("[exited 0]"))
    }

    @Test func ctrlCCancelsASlowFetchAndThePromptComesBack() async throws {
        let session = try await TerminalSession.started(["--sandbox", "--sandbox-latency-ms", "400", "--concurrency", "1"])
        try await session.typeLine("SELECT id FROM people.people;")  // 12 pages of 100, 0.4 s each
        try await Task.sleep(for: .milliseconds(1500))
        let pressed = Date()
        try await session.press("C-c")
        #expect(try await session.waitFor(timeout: 1) { $0.last?.trimmingCharacters(in: .whitespaces) == "cbq(sandbox)>" })
        #expect(Date().timeIntervalSince(pressed) < 1)
        let screen = try await session.screen().joined(separator: "\n")
        #expect(screen.contains("are a partial result"))
        #expect(!screen.contains("(1200 rows)"))
        try await session.typeLine("\\url SELECT * FROM people.people LIMIT 1")
        #expect(try await session.waitForText("/people/people?page[size]=1"))
    }

    @Test func ctrlZStopsAndFgRestoresTheLineAndItsEditing() async throws {
        let session = try await TerminalSession.started(["--sandbox"], inShell: true)
        try await session.type("SELECT COUNT(*) FROM cases.cses")
        try await session.press("C-z")
        #expect(try await session.waitForText("Stopped"))
        try await session.typeLine("fg")
        // Drawn again, with the text typed so far, and editing keys work again.
        #expect(try await session.waitFor { $0.last == "cbq(sandbox)> SELECT COUNT(*) FROM cases.cses" })
        try await session.press("Left", "Left", "Left")
        try await session.type("a")
        try await session.press("End")
        try await session.typeLine(";")
        #expect(try await session.waitForText("600"))
        #expect(try await session.screen().contains("cbq(sandbox)> SELECT COUNT(*) FROM cases.cases;"))
    }

    @Test func aResizedTerminalIsFollowedWhileTyping() async throws {
        let session = try await TerminalSession.started(["--sandbox"])
        try await session.type("SELECT ")
        try await session.resize(width: 50)
        try await Task.sleep(for: .milliseconds(300))  // for SIGWINCH to reach cbq
        try await session.type("first_name FROM people.people WHERE last_name = 'Doe' AND first_name LIKE 'P%' AND city = 'x'")
        try await session.press("C-a")  // up across the wrapped rows: drawn where it belongs only if the width is right
        try await session.type("EXPLAIN ")
        let line = Array("cbq(sandbox)> EXPLAIN SELECT first_name FROM people.people WHERE last_name = 'Doe' AND first_name LIKE 'P%' AND city = 'x'")
        let rows = stride(from: 0, to: line.count, by: 50).map { String(line[$0..<min($0 + 50, line.count)]).trimmingCharacters(in: .whitespaces) }
        #expect(try await session.waitFor { screen in screen.suffix(rows.count).map { $0.trimmingCharacters(in: .whitespaces) } == rows })
    }

    /// `SELECT *` on an 80-column terminal: records by default (`\x auto`); with `\x off`, a
    /// table of whole columns from both ends and a `…` for the rest, no line wrapped.
    @Test func aWideSelectStarFitsEightyColumns() async throws {
        let session = try await TerminalSession.started(["--sandbox"], width: 80)
        try await session.typeLine("SELECT * FROM people.people LIMIT 2;")
        #expect(try await session.waitForText("-[ RECORD 2 ]"))
        try await session.typeLine("\\x off")
        try await session.typeLine("SELECT * FROM people.people LIMIT 2;")
        #expect(try await session.waitForText("11 columns of 15 hidden (…); \\x shows every column"))
        let table = try await session.screen().filter { $0.contains(" | … | ") }
        #expect(table.count == 3, "the header and two rows")
        #expect(table.allSatisfy { $0.count <= 80 })
    }

    /// A result longer than the screen goes through less (q ends it and the prompt comes
    /// back); a short one prints as it is.
    @Test func aLongResultGoesThroughThePager() async throws {
        let session = try await TerminalSession.started(["--sandbox"], environment: ["PAGER": "less -SRFX"], height: 20)
        try await session.typeLine("SELECT id, first_name FROM people.people ORDER BY id LIMIT 50;")
        #expect(try await session.waitFor { $0.last?.hasPrefix(":") == true })
        #expect(try await session.screen().contains { $0.hasPrefix(" PER-00001 ") })
        try await session.press("q")
        #expect(try await session.waitForPrompt())
        try await session.typeLine("SELECT id FROM people.people ORDER BY id LIMIT 2;")
        #expect(try await session.waitForText("(2 rows)"))
        #expect(try await session.waitForPrompt())
    }

    /// A long result streams into less while it is fetched; Ctrl-C then ends the statement and
    /// the pager, and the prompt comes back at once.
    @Test func ctrlCEndsAPagerThatIsShowingAStreamingResult() async throws {
        let session = try await TerminalSession.started(["--sandbox", "--sandbox-latency-ms", "600", "--concurrency", "1", "--format", "csv"],
                                                        environment: ["PAGER": "less -SRFX"], height: 20)
        try await session.typeLine("SELECT id FROM people.people;")  // 12 pages of 100, 0.6 s each
        #expect(try await session.waitFor(timeout: 5) { $0.last?.hasPrefix(":") == true }, "less shows the first pages before the last arrives")
        try await Task.sleep(for: .milliseconds(200))  // less has set up its terminal and signals
        let pressed = Date()
        try await session.press("C-c")
        #expect(try await session.waitFor(timeout: 1.5) { $0.last?.trimmingCharacters(in: .whitespaces) == "cbq(sandbox)>" })
        #expect(Date().timeIntervalSince(pressed) < 1.5)
        #expect(try await session.waitForText("are a partial result"))
        try await session.typeLine("SELECT COUNT(*) FROM cases.cases;")
        #expect(try await session.waitForText("600"), "the terminal is the shell's again")
    }

    /// The built-in sandbox's schema is known from the first prompt: `\d` shows types, and Tab
    /// completes a column before any query has run.
    @Test func theSandboxSchemaIsKnownFromTheStart() async throws {
        let session = try await TerminalSession.started(["--sandbox"], environment: ["PAGER": ""])
        try await session.typeLine("\\d people.people")
        #expect(try await session.waitForText(" date_of_birth      | date      |"))
        try await session.type("SELECT first_n")
        try await session.press("Tab")
        #expect(try await session.waitFor { $0.last == "cbq(sandbox)> SELECT first_name" })
    }

    /// A real target's catalog is kept between sessions: a new one completes a column, and
    /// `\d` shows its type, before its first query.
    @Test func theCatalogOfAnEarlierSessionIsKnownInTheNext() async throws {
        let server = try await SandboxServer.start()
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("cbq-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let environment = ["XDG_CACHE_HOME": cache.path, "CASEBOOK_TOKEN": "any", "PAGER": ""]
        let first = try await TerminalSession.started(["--base-url", server.baseURL], environment: environment, prompt: "cbq(127.0.0.1)>")
        try await first.typeLine("SELECT id FROM cases.cases LIMIT 1;")
        #expect(try await first.waitForText("(1 row)"))
        try await first.typeLine("\\q")
        #expect(try await first.waitForText("[exited 0]"))
        let files = try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("cbq/catalog").path)
        #expect(files.count == 1)
        let second = try await TerminalSession.started(["--base-url", server.baseURL], environment: environment, prompt: "cbq(127.0.0.1)>")
        try await second.typeLine("\\d cases.cases")
        #expect(try await second.waitForText(" opened_at   | date      |"))
        try await second.type("SELECT case_ty")
        try await second.press("Tab")
        #expect(try await second.waitFor { $0.last == "cbq(127.0.0.1)> SELECT case_type" })
        await server.stop()
    }

    /// `\watch` re-runs the statement typed until Ctrl-C, and the prompt comes back.
    @Test func watchRepeatsUntilCtrlC() async throws {
        let session = try await TerminalSession.started(["--sandbox"])
        try await session.typeLine("SELECT COUNT(*) AS open_cases FROM cases.cases WHERE status = 'open'")
        try await session.typeLine("\\watch 0.2")
        #expect(try await session.waitFor { $0.filter { $0.hasSuffix("(every 0.2 s)") }.count >= 2 })
        try await session.press("C-c")
        #expect(try await session.waitForPrompt())
        try await session.typeLine("\\echo still here")
        #expect(try await session.waitForText("still here"))
    }

    /// `\connect NAME` switches to another profile's target and dialect (the prompt says which),
    /// takes its read_only, lists the profiles, and stays put when the profile has no token.
    @Test func connectSwitchesProfiles() async throws {
        let guide = try await SandboxServer.start()
        var options = SandboxOptions()
        options.dialect = .drf
        let drf = try await SandboxServer.start(options: options)
        var oauthOptions = SandboxOptions()
        oauthOptions.requireOAuth = true
        let oauth = try await SandboxServer.start(options: oauthOptions)
        let folder = try configFolder("""
            [profiles.default]
            base_url = "\(guide.baseURL)"
            token_command = "echo any-token"

            [profiles.reporting]
            base_url = "\(drf.baseURL)"
            dialect = "drf"
            read_only = true
            token_command = "echo any-token"

            [profiles.remote]
            base_url = "https://staging.example.org"
            token_file = "/nonexistent/staging-token"

            [profiles.tenant]
            base_url = "\(oauth.baseURL)"
            token_url = "\(oauth.baseURL)/oauth2/token"
            client_id = "cbq-sandbox"
            client_secret_command = "echo sandbox-secret"
            """)
        defer { try? FileManager.default.removeItem(at: folder) }
        // A token given on the command line is for the target it starts with: it must not follow
        // the user to another profile's host.
        let token = folder.appendingPathComponent("token")
        try "typed-token\n".write(to: token, atomically: true, encoding: .utf8)
        chmod(token.path, 0o600)
        let session = try await TerminalSession.started(["--token-file", token.path], configFolder: folder,
                                                        environment: ["CASEBOOK_TOKEN": "from-the-environment"], prompt: "cbq(default)>")
        try await session.typeLine("\\connect reporting")
        #expect(try await session.waitForText("Now querying \(drf.baseURL) (profile 'reporting'), read-only."))
        // The drf server reads only its own spelling of IS NULL: 657 rows, not 0.
        try await session.typeLine("SELECT COUNT(*) FROM people.people WHERE middle_name IS NULL;")
        #expect(try await session.waitForText("657"))
        #expect(try await session.waitForPrompt("cbq(reporting)>"))
        try await session.typeLine("DELETE FROM attachments.notes WHERE id = 'NTE-00001';")
        #expect(try await session.waitForText("this session is read-only"))
        try await session.typeLine("\\connect remote")
        #expect(try await session.waitForText("Still querying \(drf.baseURL) (profile 'reporting')."))
        // Its own token file (missing), not the environment's token nor the typed one.
        #expect(try await session.screen().contains { $0.contains("error: cannot read '/nonexistent/staging-token'") })
        try await session.typeLine("\\connect")
        let listed = try await session.waitFor { $0.suffix(5).map { $0.trimmingCharacters(in: .whitespaces) } == ["default", "remote", "* reporting", "tenant", "cbq(reporting)>"] }
        let screen = try await session.screen()
        #expect(listed, "\(screen)")
        try await session.typeLine("\\connect default")
        #expect(try await session.waitForText("Now querying \(guide.baseURL) (profile 'default')."))
        try await session.typeLine("SELECT COUNT(*) AS notes FROM attachments.notes WHERE note_type IS NULL;")
        #expect(try await session.waitForText("notes"))
        #expect(try await session.waitForPrompt("cbq(default)>"))
        // A profile with credentials of its own uses them, not $CASEBOOK_TOKEN (which this
        // server, taking its own OAuth tokens only, would refuse).
        try await session.typeLine("\\connect tenant")
        try await session.typeLine("SELECT COUNT(*) AS providers FROM providers.providers;")
        #expect(try await session.waitForText("    60"))
        // Another target by hand leaves the profile, and its credentials, behind.
        try await session.typeLine("\\base \(drf.baseURL)")
        #expect(try await session.waitForPrompt("cbq(127.0.0.1)>"))
        await guide.stop()
        await drf.stop()
        await oauth.stop()
    }
}
