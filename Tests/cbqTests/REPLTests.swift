import Foundation
import Testing

/// The interactive shell, driven through a real terminal.
@Suite(.serialized)
struct REPLTests {
    @Test func bannerAndPrompt() throws {
        let session = try TerminalSession.started(["--sandbox"])
        let screen = try session.screen()
        #expect(screen.first?.hasPrefix("cbq 0.1.0, connected to the built-in sandbox at http://127.0.0.1:") == true)
        #expect(screen.joined().contains("\\help for help, \\q to quit."))
    }

    @Test func lineEditingMovesAndInserts() throws {
        let session = try TerminalSession.started(["--sandbox"])
        try session.type("SELECT COUNT(*) FROM people.peple")
        try session.press("Left", "Left", "Left")
        try session.type("o")
        try session.press("End")
        try session.typeLine(";")
        #expect(try session.waitForText("1200"))
        #expect(try session.screen().contains { $0.contains("FROM people.people;") })
    }

    @Test func historyIsRecalledInTheNextSession() throws {
        let first = try TerminalSession.started(["--sandbox"])
        try first.typeLine("SELECT COUNT(*) FROM cases.cases;")
        #expect(try first.waitForText("600"))
        try first.typeLine("\\q")
        #expect(try first.waitForText("[exited 0]"))
        let history = first.stateFolder.appendingPathComponent("cbq/history")
        let attributes = try FileManager.default.attributesOfItem(atPath: history.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        let second = try TerminalSession.started(["--sandbox"], stateFolder: first.stateFolder)
        try second.press("Up")  // \q
        try second.press("Up")
        #expect(try second.waitFor { $0.last == "cbq(sandbox)> SELECT COUNT(*) FROM cases.cases;" })
    }

    @Test func tabCompletesKeywordsEndpointsAndColumns() throws {
        let session = try TerminalSession.started(["--sandbox"])
        try session.type("SEL")
        try session.press("Tab")
        try session.type("* FROM peo")
        try session.press("Tab")
        #expect(try session.waitFor { $0.last == "cbq(sandbox)> SELECT * FROM people.people" })
        try session.typeLine(" LIMIT 1;")
        #expect(try session.waitForText("(1 row)"))
        #expect(try session.waitForPrompt())
        try session.type("SELECT * FROM people.people WHERE first_n")
        try session.press("Tab")
        #expect(try session.waitFor { $0.last == "cbq(sandbox)> SELECT * FROM people.people WHERE first_name" })
        try session.press("C-c")
        #expect(try session.waitForPrompt())
        try session.type("\\form")
        try session.press("Tab")
        #expect(try session.waitFor { $0.last == "cbq(sandbox)> \\format" })
    }

    @Test func aStatementCanSpanLines() throws {
        let session = try TerminalSession.started(["--sandbox"])
        try session.typeLine("SELECT COUNT(*)")
        #expect(try session.waitFor { $0.last?.trimmingCharacters(in: .whitespaces) == "->" })
        try session.typeLine("FROM people.people;")
        #expect(try session.waitForText("1200"))
    }

    @Test func helpListsTheCommands() throws {
        let session = try TerminalSession.started(["--sandbox"])
        try session.typeLine("\\help")
        #expect(try session.waitForText("\\explain QUERY"))
        let screen = try session.screen().joined(separator: "\n")
        for name in ["\\q", "\\x", "\\format", "\\timing", "\\set", "\\unset", "\\i FILE", "\\o", "\\url", "\\curl", "\\region", "\\base", "\\d", "\\history"] {
            #expect(screen.contains(name), "\\help lacks \(name)")
        }
        try session.typeLine("\\xx")
        #expect(try session.waitForText("did you mean \\x?"))
    }

    @Test func expandedDisplay() throws {
        let session = try TerminalSession.started(["--sandbox"])
        try session.typeLine("\\x")
        #expect(try session.waitForText("Expanded display is on."))
        try session.typeLine("SELECT id, last_name FROM people.people LIMIT 2;")
        #expect(try session.waitForText("-[ RECORD 2 ]"))
        let screen = try session.screen()
        for line in ["id        | PER-00001", "last_name | Patel", "id        | PER-00002", "last_name | Johnson"] {
            #expect(screen.contains(line), "missing \(line)")
        }
    }

    @Test func anErrorShowsACaretAndTheShellGoesOn() throws {
        let session = try TerminalSession.started(["--sandbox"])
        try session.typeLine("SELECT * FROM people.people WHERE age >;")
        #expect(try session.waitForText("^ expected a number, string or column name"))
        #expect(try session.screen().contains("error: expected a value after '>'"))
        #expect(try session.waitForPrompt())
        try session.typeLine("SELECT COUNT(*) FROM cases.cases;")
        #expect(try session.waitForText("600"))
    }

    @Test func ctrlCClearsTheLineAndCtrlDQuits() throws {
        let session = try TerminalSession.started(["--sandbox"])
        try session.typeLine("SELECT COUNT(*)")
        try session.press("C-c")
        #expect(try session.waitForPrompt())
        try session.typeLine("SELECT COUNT(*) FROM cases.cases;")
        #expect(try session.waitForText("600"), "the cleared line must not be prefixed to the next statement")
        #expect(try session.waitForPrompt())
        try session.press("C-d")
        #expect(try session.waitForText("[exited 0]"))
    }

    @Test func ctrlCCancelsASlowFetchAndThePromptComesBack() throws {
        let session = try TerminalSession.started(["--sandbox", "--sandbox-latency-ms", "400", "--concurrency", "1"])
        try session.typeLine("SELECT id FROM people.people;")  // 12 pages of 100, 0.4 s each
        Thread.sleep(forTimeInterval: 1.5)
        let pressed = Date()
        try session.press("C-c")
        #expect(try session.waitFor(timeout: 1) { $0.last?.trimmingCharacters(in: .whitespaces) == "cbq(sandbox)>" })
        #expect(Date().timeIntervalSince(pressed) < 1)
        let screen = try session.screen().joined(separator: "\n")
        #expect(screen.contains("are a partial result"))
        #expect(!screen.contains("(1200 rows)"))
        try session.typeLine("\\url SELECT * FROM people.people LIMIT 1")
        #expect(try session.waitForText("/people/people?page[size]=1"))
    }
}
