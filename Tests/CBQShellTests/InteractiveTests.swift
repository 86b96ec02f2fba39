#if canImport(Glibc)
import Glibc
#endif
import CBQCore
import CBQRuntime
import CBQSandbox
import Testing
@testable import CBQShell

/// The interactive loop and its backslash commands, typed through a scripted line reader.
@Suite(.timeLimit(.minutes(1)))
struct InteractiveTests {
    @Test func aStatementCanSpanLinesWithAContinuationPrompt() async {
        let shell = ShellHarness(format: .csv)
        let reader = await shell.type("SELECT COUNT(*)", "FROM people.people;")
        #expect(reader.prompts == ["cbq(sandbox)> ", "      -> ", "cbq(sandbox)> "])
        #expect(shell.output == "count\r\n1200\r\n\n")
        #expect(reader.entries == ["SELECT COUNT(*)\nFROM people.people;"])
    }

    /// History keeps no line typed with a space first (bash's ignorespace: how to keep a
    /// statement holding a secret out of the file), and no URL with a password in it, even a
    /// refused one.
    @Test func historyKeepsOutSpaceFirstLinesAndURLPasswords() async {
        let shell = ShellHarness(format: .csv)
        let reader = await shell.type(" SELECT COUNT(*)", "FROM people.people;", "\\base https://bob:hunter2secret@api.example.org",
                                      "  \\x", "SELECT COUNT(*) FROM cases.cases;")
        #expect(reader.entries == ["SELECT COUNT(*) FROM cases.cases;"], "\(reader.entries)")
        #expect(RequestURL.userInfoRanges(in: "\\base http://u@h.example/x").count == 1)
        #expect(RequestURL.userInfoRanges(in: "\\base https://api.example.org/a@b").isEmpty)
        #expect(RequestURL.userInfoRanges(in: "SELECT * FROM people.people WHERE email = 'a@b.org'").isEmpty)
        // What \e makes of a statement typed with a space first stays out too.
        let edited = ShellHarness(format: .csv, environment: ["EDITOR": "sed -i 's/LIMIT 1/LIMIT 2/'"])
        let editedReader = await edited.type(" SELECT id FROM people.people LIMIT 1", "\\e")
        #expect(edited.output.contains("PER-00002") && editedReader.entries.isEmpty, "\(editedReader.entries)")
    }

    @Test func ctrlCDropsTheStatementBeingTyped() async {
        let shell = ShellHarness(format: .csv)
        let reader = await shell.type([.line("SELECT COUNT(*)"), .interrupted, .line("SELECT COUNT(*) FROM cases.cases;")])
        #expect(reader.prompts == ["cbq(sandbox)> ", "      -> ", "cbq(sandbox)> ", "cbq(sandbox)> "])
        #expect(shell.output == "\ncount\r\n600\r\n\n")
        #expect(shell.errorText == "")
    }

    @Test func anErrorIsShownAndTheSessionGoesOn() async {
        let shell = ShellHarness(format: .csv, terminal: true)
        await shell.type("SELECT * FROM people.people WHERE age >;", "SELECT COUNT(*) FROM cases.cases;")
        #expect(shell.errorText.contains("error: expected a value after '>'"))
        #expect(shell.errorText.contains("^ expected a number, string or column name"))
        #expect(shell.output.contains("count\r\n600\r\n"))
    }

    @Test func helpComesFromTheTable() async {
        let shell = ShellHarness()
        await shell.type("\\help")
        for command in MetaCommand.all {
            #expect(shell.output.contains("  " + command.usage + " "), "\\help lacks \(command.usage)")
            #expect(shell.output.contains(command.summary))
        }
        #expect(shell.output.contains("  \\explain QUERY"))
        await shell.type("\\help x")
        #expect(shell.output.hasSuffix("\\x [on|off|auto]\n  records instead of a table (auto: when too wide)\n\n"))
    }

    @Test func anUnknownCommandGetsADidYouMean() async {
        let shell = ShellHarness()
        await shell.type("\\xx", "\\frmat csv", "\\zzzzzz")
        #expect(shell.errorText == """
            error: unknown command \\xx
              = hint: did you mean \\x?
            error: unknown command \\frmat
              = hint: did you mean \\format?
            error: unknown command \\zzzzzz
              = hint: \\help lists the commands

            """)
    }

    /// The argument spec validates before the handler runs.
    @Test(arguments: [("\\x maybe", "error: \\x takes on, off or auto, not 'maybe'"),
                      ("\\timing sometimes", "error: \\timing takes on or off, not 'sometimes'"),
                      ("\\serversort maybe", "error: \\serversort takes checked, trusted or off, not 'maybe'"),
                      ("\\format xml", "error: unknown format 'xml'\n  = hint: one of: table, vertical, json, ndjson, csv, markdown"),
                      ("\\region eu", "error: \\region takes us or ca, not 'eu'"),
                      ("\\i", "error: \\i needs a file"),
                      ("\\url", "error: \\url needs a query"),
                      ("\\unset", "error: \\unset needs a name")])
    func badArgumentsAreRefusedWithTheReason(line: String, message: String) async {
        let shell = ShellHarness()
        await shell.type(line)
        #expect(shell.errorText == message + "\n")
    }

    /// `\serversort` changes how ORDER BY goes to the API for the rest of the session: against
    /// a server that ignores sort, the error's way out works without leaving the shell.
    @Test func serverSortCanBeChangedInTheShell() async {
        var ignoring = SandboxOptions()
        ignoring.ignoresSort = true
        let shell = ShellHarness(format: .csv, sandbox: ignoring)
        await shell.type("SELECT id FROM people.people ORDER BY id DESC LIMIT 2;", "\\serversort off",
                         "SELECT id FROM people.people ORDER BY id DESC LIMIT 2;", "\\serversort", "\\serversort trusted", "\\serversort checked")
        #expect(shell.errorText.contains("error: the API returned rows out of the order sort=-id asks for"))
        #expect(shell.errorText.contains("(\\serversort off in the shell)"))
        let last = SandboxData.generate(seed: 1)[SandboxData.people.path]!.suffix(2).map(\.id).reversed()
        #expect(shell.output == "Server sort is off: no sort= is sent; ORDER BY runs here, after every page is read.\n"
                + "id\r\n" + last.map { $0 + "\r\n" }.joined()
                + "Server sort is off: no sort= is sent; ORDER BY runs here, after every page is read.\n"
                + "Server sort is trusted: ORDER BY is sent as sort=, and the server's order is taken unchecked.\n"
                + "Server sort is checked: ORDER BY is sent as sort=, and every row's place in it is checked.\n\n")
        #expect(shell.transport.sent.map(\.url.pathAndQuery) == ["/people/people?sort=-id&page%5Bsize%5D=20"]
                + (1...12).map { "/people/people?page%5Bsize%5D=100" + ($0 == 1 ? "" : "&page=\($0)") })
    }

    @Test func expandedDisplayPrintsRecords() async {
        let shell = ShellHarness()
        await shell.type("\\x", "SELECT id, last_name FROM people.people LIMIT 2;")
        #expect(shell.output == """
            Expanded display is on.
            -[ RECORD 1 ]--------
            id        | PER-00001
            last_name | Patel
            -[ RECORD 2 ]--------
            id        | PER-00002
            last_name | Johnson


            """)
    }

    @Test func formatTimingAndParameters() async {
        let shell = ShellHarness()
        await shell.type("\\format csv", "\\set state 'WA'", "\\set", "SELECT COUNT(*) FROM people.people WHERE state = :state;", "\\unset state",
                         "\\unset state", "\\timing", "\\timing off")
        let inWashington = SandboxData.generate(seed: 1)[SandboxData.people.path]!.filter { $0[attribute: "state"] == .string("WA") }.count
        #expect(shell.output == "Output format is csv.\nstate = 'WA'\ncount\r\n\(inWashington)\r\nTiming is on.\nTiming is off.\n\n")
        #expect(shell.errorText == "error: no parameter :state\n")
        #expect(Set(shell.transport.sent.map(\.url.pathAndQuery)) == ["/people/people?filter%5Bstate%5D=WA&page%5Bsize%5D=100", "/people/people?page%5Bsize%5D=1"])
    }

    /// With \timing on, one line per statement says the time, the rows and requests, and
    /// where the page count came from: not a summary line too.
    @Test func timingIsOneLine() async {
        let shell = ShellHarness()
        shell.session.showsProgress = true
        await shell.type("\\timing on", "SELECT id FROM people.people ORDER BY id LIMIT 300;")
        // The time on standard output, as psql has it; no summary line on standard error.
        // (A progress line may show there on a slow machine; the summary line must not.)
        #expect(!shell.errorText.contains("3 requests"), "\(shell.errorText)")
        let timed = shell.output.split(separator: "\n").filter { $0.hasPrefix("Time: ") }
        #expect(timed.count == 1)
        #expect(timed.first?.hasSuffix(" ms (300 rows, 3 requests; page count from meta.total)") == true, "\(timed)")
    }

    /// A 401 says what to do: without a token, set one; with one, it was refused.
    @Test func a401SaysWhatToDo() async throws {
        var options = SandboxOptions()
        options.requireOAuth = true
        let transport = InProcessTransport(options: options, origin: "http://127.0.0.1:9")
        let without = ShellHarness(target: try Target.base(url: "http://127.0.0.1:9"), environment: [:], transport: transport)
        #expect(await without.run("SELECT id FROM people.people LIMIT 1") == SysExit.noPermission)
        #expect(without.errorText.contains("hint: the API wants a token: export CASEBOOK_TOKEN=… or pass --token-file PATH (a `cbq sandbox` takes any token)"),
                "\(without.errorText)")
        let with = ShellHarness(target: try Target.base(url: "http://127.0.0.1:9"), environment: ["CASEBOOK_TOKEN": "made-up"], transport: transport)
        #expect(await with.run("SELECT id FROM people.people LIMIT 1") == SysExit.noPermission)
        #expect(with.errorText.contains("hint: the API refused the token: it may have expired or be for another tenant"))
    }

    /// `\conninfo` says where statements go, the dialect, and where the token comes from:
    /// never the token, nor the secret.
    @Test func conninfoNamesTheSourceNeverTheSecret() async throws {
        let sandbox = ShellHarness()
        await sandbox.type("\\conninfo", "\\echo done")
        #expect(sandbox.output.hasPrefix("Querying the built-in sandbox at http://sandbox.test"))
        #expect(sandbox.output.contains("Dialect: guide (filter[f][{op}], page=2, the total at meta.total)."))
        #expect(sandbox.output.contains("Token: none needed (the built-in sandbox).\ndone\n"))
        var target = try Target.base(url: "https://api.test", dialect: .drf)
        let fromEnvironment = ShellHarness(target: target, environment: ["CASEBOOK_TOKEN": "tok-do-not-show"])
        await fromEnvironment.type("\\conninfo")
        #expect(fromEnvironment.output.contains("Dialect: drf (filter[f.{op}], page[number]=2, the total at meta.pagination.count)."))
        #expect(fromEnvironment.output.contains("Token: $CASEBOOK_TOKEN."))
        #expect(!fromEnvironment.output.contains("tok-do-not-show"))
        target.oauth = OAuthClient(tokenURL: "https://api.test/oauth2/token", clientID: "cbq", secretCommand: "pass show secret")
        let oauth = ShellHarness(target: target, environment: ["CASEBOOK_CLIENT_SECRET": "s3cret"])
        oauth.session.readOnly = true
        await oauth.type("\\conninfo")
        #expect(oauth.output.contains("Token: OAuth client credentials: client cbq at https://api.test/oauth2/token, its secret from a command's output."))
        #expect(oauth.output.contains("Writes: read-only."))
        #expect(!oauth.output.contains("s3cret") && !oauth.output.contains("pass show"))
    }

    /// `\g` runs the statement typed without its `;` (or, with none, the last one), into a
    /// file if given; `\watch` runs it again every so many seconds until Ctrl-C.
    @Test func goAndWatch() async throws {
        let shell = ShellHarness(format: .csv)
        let path = "/tmp/cbq-g-\(UInt64.random(in: 0...UInt64.max)).csv"
        defer { unlinkFile(path) }
        await shell.type("\\g", "SELECT COUNT(*) AS n FROM cases.cases", "\\g", "\\g \(path)", "SELECT COUNT(*) AS m FROM providers.providers", "\\g \(path)")
        #expect(shell.errorText == "error: \\g runs the statement being typed, or the last one: there is none yet\n")
        // On the screen the first run only; the file holds the last.
        #expect(shell.output.hasPrefix("n\r\n600\r\n") && shell.output.components(separatedBy: "600").count == 2 && !shell.output.contains("m\r\n"))
        #expect(try readText(path) == "m\r\n60\r\n")
        let watcher = ShellHarness(format: .csv)
        let transport = watcher.transport
        watcher.session.interruptRequested = { transport.sent.count >= 2 }
        await watcher.type("SELECT COUNT(*) AS n FROM cases.cases", "\\watch 0.05", "\\watch soon")
        #expect(transport.sent.count >= 2, "it ran again")
        #expect(watcher.output.contains(" (every 0.05 s)\n"))
        #expect(watcher.output.contains("n\r\n600\r\n"))
        #expect(watcher.errorText.contains("error: \\watch takes a number of seconds, not 'soon'"))
    }

    /// `\watch` of a write would write again every round, with no question asked for one row
    /// (found by a review: an INSERT under `\watch 1` made a report a second): refused before
    /// it runs, typed or recalled, and so is EXPLAIN ANALYZE of one.
    @Test func watchRefusesWrites() async {
        let shell = ShellHarness(format: .csv)
        shell.session.interruptRequested = { false }
        await shell.type("INSERT INTO intake.reports (status) VALUES ('new');", "\\watch 0.01",
                         "EXPLAIN ANALYZE UPDATE people.people SET city = 'x' WHERE id = 'PER-00001'", "\\watch 0.01")
        #expect(shell.transport.api.writeCount == 1, "the INSERT ran once, when it was typed")
        #expect(shell.errorText.components(separatedBy: "error: \\watch repeats reads only: this statement writes, and would write again every round").count == 3,
                "\(shell.errorText)")
    }

    @Test func errorsAreRedOnlyWithColour() {
        let plain = MemorySink(), coloured = MemorySink()
        Console(screen: MemorySink(), errors: plain).error("no statement", hint: "write one")
        Console(screen: MemorySink(), errors: coloured, colors: true).error("no statement", hint: "write one")
        #expect(plain.text == "error: no statement\n  = hint: write one\n")
        #expect(coloured.text == "\u{1B}[1;31merror\u{1B}[0m: no statement\n  = hint: write one\n")
    }

    /// In the shell, a result longer than the screen goes through the pager, then its notes;
    /// a short one, `\pager off`, or an empty $PAGER print on the screen; `\pager on` pages all.
    @Test func longResultsGoThroughThePager() async {
        final class Paged: @unchecked Sendable { var runs: [(command: String, text: String)] = [] }
        final class FakePager: PagerPipe, @unchecked Sendable {
            let paged: Paged
            let command: String
            var bytes: [UInt8] = []
            init(_ paged: Paged, _ command: String) { self.paged = paged; self.command = command }
            func write(_ bytes: UnsafeRawBufferPointer) -> Bool { self.bytes += bytes; return true }
            func close() { paged.runs.append((command, String(decoding: bytes, as: UTF8.self))) }
            func stop() {}
        }
        func shell(pager: String?) -> (ShellHarness, Paged) {
            let shell = ShellHarness(format: .csv, environment: pager.map { ["PAGER": $0] } ?? [:], screenHeight: 10)
            let paged = Paged()
            shell.session.startPager = { FakePager(paged, $0) }
            return (shell, paged)
        }
        let (long, paged) = shell(pager: nil)
        await long.type("SELECT id FROM people.people ORDER BY id LIMIT 20;", "SELECT id FROM people.people ORDER BY id LIMIT 2;")
        #expect(paged.runs.count == 1)
        #expect(paged.runs.first?.command == "less -SRFX")
        #expect(paged.runs.first?.text.hasPrefix("id\r\nPER-00001\r\n") == true && paged.runs.first?.text.contains("PER-00020") == true)
        #expect(!long.output.contains("PER-00020") && long.output.contains("id\r\nPER-00001\r\nPER-00002\r\n"))
        let (chosen, chosenRuns) = shell(pager: "more")
        await chosen.type("\\pager on", "SELECT id FROM people.people LIMIT 1;", "\\pager off", "SELECT id FROM people.people LIMIT 30;")
        #expect(chosenRuns.runs.map(\.command) == ["more"])
        #expect(chosen.output.contains("Pager usage is on.") && chosen.output.contains("PER-00030"))
        let (none, noneRuns) = shell(pager: "")
        await none.type("SELECT id FROM people.people LIMIT 30;")
        #expect(noneRuns.runs.isEmpty && none.output.contains("PER-00030"))
    }

    /// NULL in a table: blank by default, dim `NULL` on a colour screen (padding outside the
    /// codes, so columns line up), or `\pset null`'s text; other formats keep their own NULL.
    @Test func nullShowsAsPsetSaysAndDimOnAColourScreen() async {
        let query = "SELECT id, middle_name FROM people.people WHERE middle_name IS NULL ORDER BY id LIMIT 2;"
        let plain = ShellHarness()
        await plain.type(query, "\\pset null '(null)'", query, "\\format csv", query, "\\pset", "\\pset border 2")
        #expect(plain.output.contains("\n PER-00002 | \n"), "\(plain.output)")
        #expect(plain.output.contains("Null display is \"(null)\"."))
        #expect(plain.output.contains("\n PER-00002 | (null)\n"))
        #expect(plain.output.contains("\nPER-00002,\r\n"), "csv keeps an empty field")
        #expect(plain.errorText.contains("\\pset needs a null [TEXT]") && plain.errorText.contains("\\pset takes null, not 'border'"))
        let colour = ShellHarness(screenColors: true)
        await colour.type(query)
        #expect(colour.output.contains("\n PER-00002 | \u{1B}[2mNULL\u{1B}[0m\n"), "\(colour.output)")
    }

    /// `\e` puts the statement being typed (else the last one) in the editor, then runs what
    /// was saved; an editor that fails runs nothing.
    @Test func editRunsWhatTheEditorSaved() async {
        let shell = ShellHarness(format: .csv, environment: ["EDITOR": "sed -i 's/LIMIT 1/LIMIT 3/'"])
        await shell.type("SELECT id FROM people.people ORDER BY id LIMIT 1;", "\\e")
        #expect(shell.output.contains("SELECT id FROM people.people ORDER BY id LIMIT 3;\nid\r\nPER-00001\r\nPER-00002\r\nPER-00003\r\n"),
                "\(shell.output)\(shell.errorText)")
        let typed = ShellHarness(format: .csv, environment: ["VISUAL": "sed -i 's/LIMIT 1/LIMIT 2/'", "EDITOR": "false"])
        await typed.type("SELECT id FROM people.people", "ORDER BY id LIMIT 1", "\\e")
        #expect(typed.output.contains("SELECT id FROM people.people\nORDER BY id LIMIT 2\nid\r\nPER-00001\r\nPER-00002\r\n"),
                "\(typed.output)\(typed.errorText)")
        let failing = ShellHarness(format: .csv, environment: ["EDITOR": "false"])
        await failing.type("SELECT id FROM people.people LIMIT 1;", "\\e")
        #expect(failing.errorText.contains("the editor 'false' exited with 1; nothing runs"))
        #expect(failing.output.components(separatedBy: "PER-").count == 2, "the statement ran once, before \\e")
        // An emptied file (or only a comment) runs nothing.
        let emptied = ShellHarness(format: .csv, environment: ["EDITOR": "sed -i 's/.*/-- nothing/'"])
        await emptied.type("SELECT id FROM people.people LIMIT 1;", "\\e")
        #expect(emptied.output.contains("PER-00001\r\nNothing to run.\n") && emptied.output.components(separatedBy: "PER-").count == 2, "\(emptied.output)")
    }

    /// Quitting the editor without a change runs nothing, as psql clears its buffer then: `\e`
    /// after an INSERT must not insert the row again.
    @Test func anUnchangedEditRunsNothing() async {
        let shell = ShellHarness(format: .csv, environment: ["EDITOR": "true"])
        await shell.type("INSERT INTO intake.reports (status, source, person_id) VALUES ('new', 'hotline', 'PER-00007');", "\\e",
                         "SELECT count(*) FROM intake.reports WHERE person_id = 'PER-00007' AND source = 'hotline';")
        #expect(shell.output.contains("The editor left it unchanged; nothing was run."), "\(shell.output)\(shell.errorText)")
        #expect(shell.output.contains("count\r\n1\r\n"), "the row was inserted once: \(shell.output)")
        let typed = ShellHarness(format: .csv, environment: ["EDITOR": "true"])
        await typed.type("SELECT id FROM people.people", "LIMIT 1", "\\e")
        #expect(typed.output.contains("nothing was run") && !typed.output.contains("PER-"), "\(typed.output)")
    }

    /// A long result reaches the pager as it comes: the pager starts once a screen is there
    /// and the rest is written to it, not held (the screen here is 10 lines).
    @Test func thePagedScreenStreamsOnceAScreenIsFull() {
        final class Pipe: PagerPipe, @unchecked Sendable {
            var bytes: [UInt8] = []
            var closed = false
            func write(_ bytes: UnsafeRawBufferPointer) -> Bool { self.bytes += bytes; return true }
            func close() { closed = true }
            func stop() {}
        }
        let screen = MemorySink()
        let pipe = Pipe()
        nonisolated(unsafe) var starts = 0
        let paged = PagedScreen(screen: screen, threshold: 9) { starts += 1; return pipe }
        for line in 1...8 { _ = paged.write("line \(line)\n") }
        #expect(starts == 0 && pipe.bytes.isEmpty)
        _ = paged.write("line 9\n")
        #expect(starts == 1 && String(decoding: pipe.bytes, as: UTF8.self).hasSuffix("line 9\n"))
        _ = paged.write("line 10\n")
        #expect(String(decoding: pipe.bytes, as: UTF8.self).hasSuffix("line 9\nline 10\n"))
        #expect(paged.finish(interrupted: false) && pipe.closed && screen.text.isEmpty)
        // A short one goes to the screen; a pager that cannot start leaves the screen too.
        let short = PagedScreen(screen: screen, threshold: 9) { nil }
        _ = short.write("a\n")
        #expect(!short.finish(interrupted: false) && screen.text == "a\n")
        let failing = PagedScreen(screen: screen, threshold: 1) { nil }
        _ = failing.write("b\n")
        _ = failing.write("c\n")
        #expect(!failing.finish(interrupted: false) && screen.text == "a\nb\nc\n")
    }

    /// A plain pager command runs in the shell's place (after its assignments), so Ctrl-C can
    /// stop it; one with shell syntax is not streamed into, but paged at the end.
    @Test func aPlainPagerRunsInTheShellsPlace() {
        #expect(ShellCommand.execForm(of: "less -SRFX") == "exec less -SRFX")
        #expect(ShellCommand.execForm(of: "LESS=R less -S") == "LESS=R exec less -S")
        #expect(ShellCommand.execForm(of: "LESS=R") == nil)
        #expect(ShellCommand.execForm(of: "less | cat") == nil && ShellCommand.execForm(of: "less '-S'") == nil)
        final class Pipe: PagerPipe, @unchecked Sendable {
            var bytes: [UInt8] = []
            func write(_ bytes: UnsafeRawBufferPointer) -> Bool { self.bytes += bytes; return true }
            func close() {}
            func stop() {}
        }
        let pipe = Pipe()
        let screen = MemorySink()
        let atTheEnd = PagedScreen(screen: screen, threshold: 2, streams: false) { pipe }
        for line in 1...5 { _ = atTheEnd.write("line \(line)\n") }
        #expect(pipe.bytes.isEmpty, "held until the result ends")
        #expect(atTheEnd.finish(interrupted: false) && String(decoding: pipe.bytes, as: UTF8.self).hasSuffix("line 5\n") && screen.text.isEmpty)
        // The next statement's result starts afresh: short, so on the screen.
        _ = atTheEnd.write("short\n")
        #expect(!atTheEnd.finish(interrupted: false) && screen.text == "short\n")
    }

    /// Each statement of a line is paged on its own: quitting the first one's pager does not
    /// silence the second.
    @Test func eachStatementIsPagedOnItsOwn() async {
        final class Quitting: PagerPipe, @unchecked Sendable {
            let log: Log
            var bytes: [UInt8] = []
            init(_ log: Log) { self.log = log }
            func write(_ bytes: UnsafeRawBufferPointer) -> Bool { self.bytes += bytes; return false }  // q at once
            func close() { log.pages.append(String(decoding: bytes, as: UTF8.self)) }
            func stop() {}
        }
        final class Log: @unchecked Sendable { var pages: [String] = [] }
        let log = Log()
        let shell = ShellHarness(format: .csv, screenHeight: 10)
        shell.session.startPager = { _ in Quitting(log) }
        await shell.type("SELECT id FROM people.people ORDER BY id LIMIT 20; SELECT id FROM cases.cases ORDER BY id LIMIT 2;")
        #expect(log.pages.count == 1 && log.pages[0].hasPrefix("id\r\nPER-00001"))
        #expect(shell.output.contains("id\r\nCAS-00001\r\nCAS-00002\r\n"), "\(shell.output)")
    }

    /// A pager whose program is not there is not started (its 127 would lose the text).
    @Test func aPagerThatIsNotThereIsNotStarted() {
        #expect(!ShellCommand.isRunnable("no-such-pager-cbq -R", path: "/usr/bin:/bin"))
        #expect(ShellCommand.isRunnable("LESS=R sh -c cat", path: "/usr/bin:/bin"))
        #expect(ShellCommand.isRunnable("/bin/cat", path: ""))
        #expect(!ShellCommand.isRunnable("/nonexistent/less", path: "/usr/bin:/bin"))
    }

    @Test func urlCurlAndExplainSendNothing() async {
        let shell = ShellHarness()
        await shell.type("\\url SELECT * FROM people.people WHERE last_name LIKE 'Doe'", "\\curl SELECT * FROM cases.cases LIMIT 1",
                         "\\explain SELECT * FROM cases.cases WHERE closed_at IS NULL")
        let lines = shell.output.split(separator: "\n").map(String.init)
        #expect(lines[0] == "http://sandbox.test/people/people?filter[last_name][like]=Doe&page[size]=100")
        // sandbox.test is plain http to another machine: the command carries no token.
        #expect(lines[1] == "curl -sS -H 'Accept: application/vnd.api+json' -H 'Content-Type: application/vnd.api+json' 'http://sandbox.test/cases/cases?page%5Bsize%5D=1'  # no token: cbq sends it over https only (or to loopback)")
        #expect(lines[2] == "GET http://sandbox.test/cases/cases?filter[closed_at]=null&page[size]=100")
        #expect(shell.transport.sent.isEmpty)
    }

    @Test func describeListsTheKnownEndpointsAndLearnsColumnsFromResults() async {
        let shell = ShellHarness(format: .csv)
        await shell.type("\\d", "\\d providers.providers", "SELECT * FROM providers.providers LIMIT 1;", "\\d providers.providers")
        #expect(shell.output.hasPrefix("Endpoints (the guide's, and those used):\n"))
        for endpoint in KnownEndpoint.all { #expect(shell.output.contains("\n " + endpoint.qualifiedName + " ")) }
        #expect(shell.output.contains("No columns seen for providers.providers yet: \\refresh providers.providers asks the API for one page of it."))
        #expect(shell.output.contains("Endpoint providers.providers (type providers; 60 rows in all; types from 1 row seen)\n       Column       |   Type    |   Nulls  \n"))
        #expect(shell.output.contains("\n licensed           | boolean   | \n license_expires_on | date      | \n"))
        #expect(shell.session.completer.candidates(word: "na", before: "SELECT * FROM providers.providers WHERE ") == .words(["name"]))
    }

    /// The command line's token goes along to the new target, and the shell says so.
    @Test func regionAndBaseSayThatTheCommandLinesTokenGoesAlong() async throws {
        let path = "/tmp/cbq-token-along-\(UInt64.random(in: 0...UInt64.max))"
        defer { unlinkFile(path) }
        try writeText(path, "along-token\n")
        let shell = ShellHarness(target: .region(.us, tokenFile: path))
        await shell.type("\\base https://staging.example.org", "\\region ca")
        #expect(shell.output.hasPrefix("Now querying https://staging.example.org (the token of --token-file goes with it)\n"
                + "Now querying Canada: https://api.casebookca.net (the token of --token-file goes with it)\n"))
    }

    @Test func regionAndBaseChangeTheTargetAndThePrompt() async {
        let shell = ShellHarness()
        let reader = await shell.type("\\region ca", "SELECT * FROM people.people;", "\\base http://127.0.0.1:9/", "\\base ftp://x")
        #expect(reader.prompts == ["cbq(sandbox)> ", "cbq(ca)> ", "cbq(ca)> ", "cbq(127.0.0.1)> ", "cbq(127.0.0.1)> "])
        #expect(shell.output.hasPrefix("Now querying Canada: https://api.casebookca.net\nNow querying http://127.0.0.1:9\n"))
        // No token for a real target: nothing is sent.
        #expect(shell.errorText.hasPrefix("error: no token for https://api.casebookca.net: nothing was sent\n"))
        #expect(shell.errorText.contains("error: --base-url must start with https:// or http://, got 'ftp://x'"))
        #expect(shell.transport.sent.isEmpty)
    }

    @Test func resultsGoToAFileWithOwnerOnlyPermissions() async throws {
        let path = "/tmp/cbq-shell-o-\(UInt64.random(in: 0...UInt64.max))"
        defer { unlinkFile(path) }
        let shell = ShellHarness(format: .csv)
        await shell.type("\\o \(path)", "SELECT COUNT(*) FROM cases.cases;", "\\o", "SELECT COUNT(*) FROM providers.providers;")
        #expect(try readText(path) == "count\r\n600\r\n")
        #expect(filePermissions(path) == 0o600)
        #expect(shell.output == "Results go to \(path).\nResults go to the screen.\ncount\r\n60\r\n\n")
    }

    @Test func includeRunsAFileAndAMissingOneIsAnError() async throws {
        let path = "/tmp/cbq-shell-i-\(UInt64.random(in: 0...UInt64.max)).cbq"
        defer { unlinkFile(path) }
        try writeText(path, "#!/usr/bin/env cbq\nSELECT COUNT(*) FROM cases.cases;\nSELECT nope FROM;\nSELECT 1 FROM a.b;\n")
        let shell = ShellHarness(format: .csv)
        await shell.type("\\i \(path)", "\\i /nonexistent/file.cbq")
        #expect(shell.output == "count\r\n600\r\n\n")
        #expect(shell.errorText.hasPrefix("\(path):3:"))
        #expect(shell.errorText.hasSuffix("error: cannot read '/nonexistent/file.cbq': No such file or directory\n"))
    }

    @Test func historyListsWhatWasTyped() async {
        let shell = ShellHarness()
        await shell.type("SELECT COUNT(*) FROM cases.cases;", "\\history")
        #expect(shell.output.hasSuffix("    1  SELECT COUNT(*) FROM cases.cases;\n    2  \\history\n\n"))
    }
}

/// What `\d` knows: columns, their kinds and nulls, learned from rows.
struct CatalogKindTests {
    @Test(arguments: [
        ("42", ColumnKind.Kind.integer), ("-1.50", .decimal), ("1e3", .decimal), ("true", .boolean), ("false", .boolean),
        ("\"2025-01-02\"", .date), ("\"2025-01-02T03:04:05Z\"", .timestamp), ("\"2025-01-02 junk\"", .text), ("\"Ada\"", .text),
        ("[1]", .json), ("{\"a\":1}", .json),
    ])
    func aValuesKind(json: String, kind: ColumnKind.Kind) {
        #expect(ColumnKind.of(ArraySlice(Array(json.utf8))) == kind)
    }

    @Test func kindsWidenAndNullsAreNoted() {
        var kind = ColumnKind()
        kind.add(.integer)
        kind.add(.decimal)
        #expect(kind.kind == .decimal)
        kind.add(.date)
        #expect(kind.kind == .text)
        var time = ColumnKind(kind: .date)
        time.add(.timestamp)
        #expect(time.kind == .timestamp)
        #expect(ColumnKind.of(ArraySlice(Array("null".utf8))) == nil)
    }

    /// The cache keeps what the catalog learned, owner-only, and gives it back.
    @Test func theCatalogCacheRoundTrips() async throws {
        let shell = ShellHarness()
        await shell.session.learnSchema(of: ["cases.cases"])
        shell.session.catalog.learn(endpoint: "cases.cases", type: "case")
        let folder = "/tmp/cbq-cache-\(UInt64.random(in: 0...UInt64.max))"
        let path = try #require(CatalogCache.path(for: "https://api.casebook.net", environment: { $0 == "XDG_CACHE_HOME" ? folder : nil }))
        #expect(path == folder + "/cbq/catalog/api.casebook.net.json")
        #expect(CatalogCache.save(shell.session.catalog, to: path))
        // Saved again unchanged, the file is left alone (its inode and time stay); a change writes it.
        var before = stat(), after = stat()
        #expect(stat(path, &before) == 0)
        #expect(!CatalogCache.save(shell.session.catalog, to: path))
        #expect(stat(path, &after) == 0 && after.st_ino == before.st_ino)
        shell.session.catalog.learn(endpoint: "cases.cases", type: "case-renamed")
        #expect(CatalogCache.save(shell.session.catalog, to: path))
        #expect(stat(path, &after) == 0 && after.st_ino != before.st_ino)
        shell.session.catalog.learn(endpoint: "cases.cases", type: "case")
        #expect(CatalogCache.save(shell.session.catalog, to: path))
        var status = stat()
        #expect(stat(path, &status) == 0 && status.st_mode & 0o777 == 0o600)
        let restored = Catalog()
        CatalogCache.load(path, into: restored)
        #expect(restored.columns(of: "cases.cases") == shell.session.catalog.columns(of: "cases.cases"))
        #expect(restored.kind(of: "closed_at", in: "cases.cases") == ColumnKind(kind: .date, nullSeen: true))
        #expect(restored.facts(of: "cases.cases")?.rowsSeen == 100 && restored.types["cases.cases"] == "case")
        #expect(restored.columnTypes["cases.cases"]?.filter { $0.value == .timestamp }.keys.sorted() == ["created_at", "updated_at"])
        CatalogCache.load("/nonexistent/x.json", into: restored)  // nothing there: nothing changes
        #expect(restored.columns(of: "cases.cases").count == 12)
        unlinkFile(path)
    }

    /// The sandbox's endpoints are learned before any query: `\d` shows types and nulls.
    @Test func describeShowsTypesAndNulls() async {
        let shell = ShellHarness()
        await shell.session.learnSchema(of: ["cases.cases"])
        await shell.type("\\d cases.cases", "\\d intake.reports")
        #expect(shell.output.contains("Endpoint cases.cases (type cases; 600 rows in all; types from 100 rows seen)\n   Column    |   Type    |   Nulls  \n"))
        #expect(shell.output.contains("\n opened_at   | date      | \n closed_at   | date      | null seen\n created_at  | timestamp | \n"))
        #expect(shell.output.contains("\n(12 rows)\n"))
        #expect(shell.output.contains("No columns seen for intake.reports yet"))
        #expect(shell.transport.sent.count == 1)
    }
}
