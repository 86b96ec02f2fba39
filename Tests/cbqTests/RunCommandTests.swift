import CBQSandbox
import Foundation
import Testing

@Suite(.timeLimit(.minutes(3)))
struct RunCommandTests {
    static let doeQuery = "SELECT id, first_name, last_name, middle_name, date_of_birth FROM people.people WHERE last_name LIKE 'Doe' ORDER BY date_of_birth LIMIT 4"
    static let notesQuery = "SELECT id, subject, body, note_type FROM attachments.notes WHERE id IN ('NTE-00001', 'NTE-00043', 'NTE-00048', 'NTE-00073')"

    @Test(arguments: ["table", "vertical", "json", "ndjson", "csv", "markdown"])
    func everyFormat(format: String) async throws {
        let people = try await CLI.run(["--sandbox", "--format", format, "-c", Self.doeQuery])
        #expect(people.status == 0, "\(people.stderr)")
        try Golden.check(people.stdout, "format-people.\(format)")
        let notes = try await CLI.run(["--sandbox", "--format", format, "-c", Self.notesQuery])
        #expect(notes.status == 0, "\(notes.stderr)")
        try Golden.check(notes.stdout, "format-notes.\(format)")
    }

    @Test func jsonFormatsKeepTypesAndParse() async throws {
        let result = try await CLI.run(["--sandbox", "--format", "json", "-c", "SELECT id, name, archived, max_capacity FROM services.service_offerings LIMIT 3"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 3)
        #expect(rows[0]["archived"] is Bool || rows[0]["archived"] is NSNumber)
        #expect(rows[0]["max_capacity"] is NSNumber)
        let empty = try await CLI.run(["--sandbox", "--format", "json", "-c", "SELECT * FROM people.people WHERE last_name = 'Nobody'"])
        #expect(empty.stdout == "[]\n")
    }

    @Test func selectStarGivesIdThenAttributesInServerOrderThenRelationships() async throws {
        let result = try await CLI.run(["--sandbox", "--format", "csv", "-c", "SELECT * FROM services.service_offerings LIMIT 1"])
        #expect(result.stdout.hasPrefix("id,provider_id,name,archived,max_capacity,capacity_usage,created_at,updated_at,provider\r\n"))
    }

    @Test func countFromTheTotal() async throws {
        let result = try await CLI.run(["--sandbox", "--format", "csv", "-c", "SELECT COUNT(*) AS doe FROM people.people WHERE last_name LIKE 'Doe'"])
        #expect(result.stdout == "doe\r\n49\r\n")
    }

    static let examples: [String] = {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples")
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".cbq") }.sorted()
            .map { folder.appendingPathComponent($0).path }
    }()

    /// Every example runs against the sandbox, with the parameters it declares (`-- var: k=v`)
    /// and the time it is pinned to (`-- now: …`).
    @Test(arguments: examples)
    func examplesRunAgainstTheSandbox(path: String) async throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let variables = text.matches(of: /-- var: (\S+)/).flatMap { ["--var", String($0.1)] }
        // `-- now: <timestamp>` pins what now() and current_date read.
        let now = text.matches(of: /-- now: (\S+)/).flatMap { ["--now", String($0.1)] }
        let result = try await CLI.run(["--sandbox"] + variables + now + [path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "")
        // The sandbox's port changes from run to run.
        let output = result.stdout.replacing(/http:\/\/127\.0\.0\.1:\d+/, with: "http://127.0.0.1:PORT")
        try Golden.check(output, "examples/" + URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent + ".out")
    }

    /// The example that writes, run with --dry-run: its reads run, its writes are printed, and
    /// what it reads at the end shows nothing changed.
    @Test func dryRunPrintsTheWritesAndChangesNothing() async throws {
        let path = try #require(Self.examples.first { $0.hasSuffix("fix-records.cbq") })
        let result = try await CLI.run(["--sandbox", "--dry-run", "--format", "csv", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("would INSERT 1 row\n") && result.stdout.contains("would UPDATE 1 row\n"))
        #expect(result.stdout.contains("DELETE http://127.0.0.1:"))
        #expect(result.stdout.hasSuffix("would DELETE 2 rows\nreports_for_person\r\n1\r\nuntyped_notes\r\n2\r\n"))
    }

    /// Ctrl-C (SIGINT) during a bulk write in a script: the request in flight finishes, no
    /// other starts, and cbq says which rows were written; exit 130.
    @Test func ctrlCDuringAScriptsBulkWriteReportsTheRowsWritten() async throws {
        let command = "\"\(CLI.executable.path)\" --sandbox --sandbox-latency-ms 200 --now 2026-11-15T00:00:00Z "
            + "-c \"UPDATE people.people SET city = 'x' WHERE state = 'WA'\" & pid=$!; sleep 8; kill -INT $pid; wait $pid; echo \"exit $?\""
        let result = try await CLI.run(["-c", command], executable: URL(fileURLWithPath: "/bin/bash"))
        #expect(result.stdout == "exit 130\n")
        #expect(result.stderr.contains("error: UPDATE cancelled"))
        let report = try #require(result.stderr.firstMatch(of: #/note: UPDATE stopped after (\d+) of 307 rows; written: PER-00002, .*; not sent: /#))
        #expect(Int(report.1)! >= 1)
    }

    /// OAuth client credentials end to end, over loopback: one token for the script's requests.
    @Test func oauthClientCredentialsFromTheCommandLine() async throws {
        var options = SandboxOptions()
        options.requireOAuth = true
        let server = try await SandboxServer.start(options: options)
        let result = try await CLI.run(["--base-url", server.baseURL, "--token-url", server.baseURL + "/oauth2/token", "--client-id", "cbq-sandbox",
                                        "--format", "csv", "-c", "SELECT COUNT(*) FROM cases.cases", "-c", "SELECT id FROM people.people LIMIT 250"],
                                       environment: ["CASEBOOK_CLIENT_SECRET": "sandbox-secret", "CASEBOOK_TOKEN": ""])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("count\r\n600\r\nid\r\nPER-00001\r\n"))
        #expect(server.api.tokenRequests == 1)
        #expect(!result.stdout.contains("sandbox-secret") && !result.stderr.contains("sandbox-secret"))
        await server.stop()
    }

    /// A profile's options, overridden by the command line's; `--profile` wins over
    /// `$CBQ_PROFILE`, which wins over `default`.
    @Test func profilesAndTheirOrder() async throws {
        let folder = try configFolder("""
            [profiles.default]
            page_size = 50

            [profiles.drf]
            dialect = "drf"
            read_only = true

            [profiles.odd.dialect]
            operator = "where[{field}__{op}]"
            operators = { ge = "atleast" }
            null = "where[{field}][missing]=yes"
            page_number = "p"
            page_size = "per_page"
            max_page_size = 40
            total = "meta.found"
            """)
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = ["XDG_CONFIG_HOME": folder.path]
        let query = "SELECT id FROM people.people WHERE age > 1"
        func translated(_ arguments: [String], _ extra: [String: String] = [:]) async throws -> String {
            try await CLI.run(arguments, environment: environment.merging(extra) { $1 }).stdout
        }
        #expect(try await translated(["translate", query]) == "https://api.casebook.net/people/people?filter[age][g]=1&page[size]=50\n")
        #expect(try await translated(["translate", "--page-size", "7", query]) == "https://api.casebook.net/people/people?filter[age][g]=1&page[size]=7\n")
        #expect(try await translated(["translate", query], ["CBQ_PROFILE": "drf"]) == "https://api.casebook.net/people/people?filter[age.gt]=1&page[size]=100\n")
        #expect(try await translated(["--profile", "default", "translate", query], ["CBQ_PROFILE": "drf"])
            == "https://api.casebook.net/people/people?filter[age][g]=1&page[size]=50\n")
        // A dialect table: its spellings, its largest page; the built-in sandbox speaks it.
        #expect(try await translated(["translate", "--profile", "odd", "SELECT id FROM people.people WHERE date_of_birth >= '2000-01-01' AND city IS NULL"])
            == "https://api.casebook.net/people/people?where[date_of_birth__atleast]=2000-01-01&where[city][missing]=yes&per_page=40\n")
        let count = "SELECT COUNT(*) AS n, COUNT(city) AS c FROM people.people WHERE date_of_birth >= '2000-01-01' AND city IS NULL"
        let odd = try await CLI.run(["--profile", "odd", "--sandbox", "--format", "csv", "-c", count, "-c", "SELECT max(id) FROM people.people"], environment: environment)
        let guide = try await CLI.run(["--profile", "default", "--sandbox", "--format", "csv", "-c", count, "-c", "SELECT max(id) FROM people.people"], environment: environment)
        #expect(odd.status == 0 && odd.stdout == guide.stdout && !odd.stdout.isEmpty, "\(odd.stderr)")
        let refused = try await CLI.run(["--profile", "drf", "--sandbox", "-c", "DELETE FROM attachments.notes WHERE id = 'NTE-00001'"], environment: environment)
        #expect(refused.status == 65 && refused.stderr.contains("this session is read-only"))
        let config = try await CLI.run(["config", "--profile", "drf", "--page-size", "9"], environment: environment.merging(["CASEBOOK_TOKEN": "tok-secret"]) { $1 })
        #expect(config.stdout.contains("dialect      drf"))
        #expect(config.stdout.contains("  profile drf") && config.stdout.contains("  option") && config.stdout.contains("••••"))
        #expect(!config.stdout.contains("tok-secret"))
        let table = try await CLI.run(["config", "--profile", "odd"], environment: environment)
        #expect(table.stdout.contains("dialect      profiles.odd.dialect  profile odd"))
    }

    /// Token sources, in order: --token-file, $CASEBOOK_TOKEN, then the profile's token_file.
    @Test func aProfilesTokenFileComesAfterTheEnvironment() async throws {
        let server = try await SandboxServer.start()
        let folder = try configFolder("[profiles.default]\nbase_url = \"\(server.baseURL)\"\ntoken_file = \"/nonexistent/token\"\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        let token = folder.appendingPathComponent("token")
        try "from-file\n".write(to: token, atomically: true, encoding: .utf8)
        chmod(token.path, 0o600)
        let query = ["-c", "SELECT COUNT(*) FROM cases.cases"]
        let profileOnly = try await CLI.run(query, environment: ["XDG_CONFIG_HOME": folder.path, "CASEBOOK_TOKEN": ""])
        #expect(profileOnly.status == 66 && profileOnly.stderr.contains("/nonexistent/token"), "\(profileOnly.stderr)")
        let environment = try await CLI.run(query, environment: ["XDG_CONFIG_HOME": folder.path, "CASEBOOK_TOKEN": "from-environment"])
        #expect(environment.status == 0 && environment.stdout.contains("600"), "\(environment.stderr)")
        let flag = try await CLI.run(["--token-file", token.path] + query, environment: ["XDG_CONFIG_HOME": folder.path, "CASEBOOK_TOKEN": ""])
        #expect(flag.status == 0 && flag.stdout.contains("600"), "\(flag.stderr)")
        await server.stop()
    }

    /// `cbq config` shows what a run uses: with another target typed, not the profile's token.
    @Test func configLeavesAProfilesCredentialsBehindForAnotherTarget() async throws {
        let folder = try configFolder("[profiles.default]\nbase_url = \"https://prod.example.org\"\ntoken_file = \"/nonexistent/token\"\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        let other = try await CLI.run(["config", "--base-url", "http://127.0.0.1:9"], environment: ["XDG_CONFIG_HOME": folder.path])
        #expect(other.status == 0 && !other.stdout.contains("token_file"), "\(other.stdout)")
        let same = try await CLI.run(["config", "--base-url", "https://prod.example.org/"], environment: ["XDG_CONFIG_HOME": folder.path])
        #expect(same.status == 0 && same.stdout.contains("token_file"), "\(same.stdout)")
    }

    /// With the sandbox, the columns' types are known from the first statement: a constant is
    /// read as its column's type, as PostgreSQL reads an untyped literal, and sent so.
    @Test func theSandboxReadsConstantsAsTheirColumnsTypeFromTheStart() async throws {
        let spelled = try await CLI.run(["--sandbox", "--now", CLI.today, "--format", "csv",
                                         "-c", "SELECT COUNT(*) FROM services.service_offerings WHERE archived = 't' AND max_capacity >= ' 20'"])
        let typed = try await CLI.run(["--sandbox", "--now", CLI.today, "--format", "csv",
                                       "-c", "SELECT COUNT(*) FROM services.service_offerings WHERE archived = TRUE AND max_capacity >= 20"])
        #expect(spelled.status == 0 && spelled.stdout == typed.stdout && spelled.stdout != "count\r\n0\r\n", "\(spelled.stdout)\(spelled.stderr)")
    }

    /// A URL's password is never shown, typed or from a profile (cbq refuses such a URL; the
    /// line saying where it came from must not print it).
    @Test func configHidesAURLsPassword() async throws {
        let folder = try configFolder("[profiles.default]\nbase_url = \"https://ann:profile-pw-123@prod.example.org\"\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        let typed = try await CLI.run(["config", "--base-url", "https://bob:typed-pw-456@h.example.org/x"], environment: ["XDG_CONFIG_HOME": folder.path])
        #expect(typed.stdout.contains("https://••••@h.example.org/x") && !typed.stdout.contains("typed-pw"), "\(typed.stdout)")
        let profile = try await CLI.run(["config"], environment: ["XDG_CONFIG_HOME": folder.path])
        #expect(!profile.stdout.contains("profile-pw") && !profile.stderr.contains("profile-pw"), "\(profile.stdout)\(profile.stderr)")
    }

    /// Results that could not be written are an error (74), not a quiet end: a full disk lost
    /// them with exit 0 (found by a review). A reader that went away (`| head`) ends the output
    /// quietly, but statements left unrun make the status 141, as a shell reports SIGPIPE.
    @Test func aFailedWriteOfTheResultsIsAnErrorAndAClosedPipeWithStatementsLeftIsNotASuccess() async throws {
        let cbq = CLI.executable.path
        let full = try await ChildProcess.run(URL(fileURLWithPath: "/bin/bash"), ["-c", "'\(cbq)' --sandbox --now \(CLI.today) -c 'SELECT * FROM people.people' > /dev/full"])
        #expect(full.status == 74 && full.stderr.contains("error: cannot write the results: No space left on device"), "\(full.stderr)")
        let twice = "'\(cbq)' --sandbox --now \(CLI.today) --format csv -c 'SELECT * FROM people.people' -c 'SELECT id FROM people.people LIMIT 1'"
        let piped = try await ChildProcess.run(URL(fileURLWithPath: "/bin/bash"), ["-c", "\(twice) | head -c 10 > /dev/null; exit ${PIPESTATUS[0]}"])
        #expect(piped.status == 141 && piped.stderr.contains("note: the output was closed (its reader ended); what came after it was not run"), "\(piped.stderr)")
        let once = "'\(cbq)' --sandbox --now \(CLI.today) --format csv -c 'SELECT * FROM people.people'"
        let alone = try await ChildProcess.run(URL(fileURLWithPath: "/bin/bash"), ["-c", "\(once) | head -c 10 > /dev/null; exit ${PIPESTATUS[0]}"])
        #expect(alone.status == 0 && alone.stderr.isEmpty, "\(alone.stderr)")
    }

    /// -c and script files run in the order given, as psql runs -c and -f (they ran all -c
    /// first, found by a review): a setup statement, a script, a check.
    @Test func statementsAndFilesRunInTheOrderGiven() async throws {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("cbq-order-\(UUID().uuidString).cbq")
        try "SELECT 'file' AS x FROM people.people LIMIT 1;\n".write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let result = try await CLI.run(["--sandbox", "--format", "csv", "-c", "SELECT 'first' AS x FROM people.people LIMIT 1", script.path,
                                        "-c", "SELECT 'last' AS x FROM people.people LIMIT 1"])
        #expect(result.status == 0 && result.stdout == "x\r\nfirst\r\nx\r\nfile\r\nx\r\nlast\r\n", "\(result.stdout)\(result.stderr)")
    }

    @Test func readOnlyRefusesAWriteAndSendsNothing() async throws {
        let result = try await CLI.run(["--sandbox", "--read-only", "-c", "DELETE FROM attachments.notes WHERE id = 'NTE-00001'",
                                        "-c", "SELECT COUNT(*) FROM attachments.notes"])
        #expect(result.status == 65)
        #expect(result.stderr.hasPrefix("<query>:1:1: error: cannot DELETE: this session is read-only"))
        #expect(result.stdout == "")
    }

    /// Empty input is nothing to do, as for psql and duckdb: exit 0, nothing said, no token asked for.
    @Test func emptyInputIsNothingToDo() async throws {
        for input in ["", "  -- a comment only\n"] {
            let result = try await CLI.run([], stdin: input, environment: ["CASEBOOK_TOKEN": ""])
            #expect(result.status == 0 && result.stdout.isEmpty && result.stderr.isEmpty, "\(result.stderr)")
        }
    }

    @Test func aRealTargetWithoutATokenSendsNothing() async throws {
        let result = try await CLI.run(["--base-url", "https://api.casebook.net", "-c", "SELECT * FROM people.people"], environment: ["CASEBOOK_TOKEN": ""])
        #expect(result.status == 77)
        #expect(result.stderr.hasPrefix("error: no token for https://api.casebook.net: nothing was sent"))
        #expect(result.stdout == "")
    }

    @Test func theTokenNeverAppearsInOutput() async throws {
        let server = try await SandboxServer.start()
        let token = "tok-4f9a1c-do-not-print"
        let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("cbq-token-\(UUID().uuidString)")
        try "\(token)\n".write(to: tokenFile, atomically: true, encoding: .utf8)
        chmod(tokenFile.path, 0o600)
        defer { try? FileManager.default.removeItem(at: tokenFile) }
        for format in ["table", "json", "csv"] {
            let result = try await CLI.run(["--base-url", server.baseURL, "--token-file", tokenFile.path, "--format", format, "--continue-on-error",
                                      "-c", "SELECT * FROM people.people LIMIT 3", "-c", "SELECT * FROM people.people WHERE nope = 1",
                                      "-c", "EXPLAIN SELECT * FROM people.people"])
            #expect(result.status == 65)
            #expect(!result.stdout.contains(token) && !result.stderr.contains(token))
            #expect(result.stderr.contains("the API answered 400"))
        }
        await server.stop()
    }

    @Test func statementsOnStandardInput() async throws {
        let result = try await CLI.run(["--sandbox", "--format", "csv"], stdin: "SELECT id FROM people.people LIMIT 2;\nSELECT id FROM cases.cases LIMIT 1")
        #expect(result.status == 0)
        #expect(result.stdout == "id\r\nPER-00001\r\nPER-00002\r\nid\r\nCAS-00001\r\n")
    }

    @Test func variablesBindInScripts() async throws {
        let result = try await CLI.run(["--sandbox", "--format", "csv", "--var", "who=PER-00007", "-c", "SELECT last_name FROM people.people WHERE id = :who"])
        #expect(result.stdout == "last_name\r\nO'Brien\r\n")
    }

    @Test func maxPagesMakesAPartialResultLoud() async throws {
        let result = try await CLI.run(["--sandbox", "--format", "ndjson", "--max-pages", "2", "-c", "SELECT id FROM people.people"])
        #expect(result.status == 75)
        #expect(result.stdout.split(separator: "\n").count == 200)
        #expect(result.stderr.contains("error: the result is incomplete: stopped after 2 pages (--max-pages); more pages remain"))
    }

    @Test func aClosedPipeEndsQuietly() async throws {
        // 2,000 notes are far more than the pipe takes before head exits: later writes fail with
        // EPIPE, which must end cbq with status 0 and no message (not SIGPIPE's 141).
        let result = try await CLI.run(["-c", "\"\(CLI.executable.path)\" --sandbox --format ndjson -c 'SELECT * FROM attachments.notes' | head -1 >/dev/null; echo ${PIPESTATUS[0]}"],
                                 executable: URL(fileURLWithPath: "/bin/bash"))
        #expect(result.stdout == "0\n")
        #expect(result.stderr == "")
    }
}
