import Foundation
import Testing

@Suite(.timeLimit(.minutes(3)))
struct TranslateCommandTests {
    @Test func printsTheGuidesURL() async throws {
        let result = try await CLI.run(["translate", "SELECT * FROM services.service_offerings WHERE provider_id = 'P-1' AND archived = false"])
        #expect(result.status == 0)
        #expect(result.stdout == "https://api.casebook.net/services/service_offerings?filter[provider_id]=P-1&filter[archived]=false&page[size]=100\n")
        #expect(result.stderr == "")
    }

    /// `cbq describe` asks for one page of each endpoint and prints its columns and types.
    @Test func describeAsksForOnePageAndPrintsTheColumns() async throws {
        let result = try await CLI.run(["describe", "--sandbox", "people.people", "cases.cases"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("Endpoint people.people (type people; 1200 rows in all; types from 100 rows seen)\n"))
        #expect(result.stdout.contains(" date_of_birth      | date      | \n"))
        #expect(result.stdout.contains("Endpoint cases.cases (type cases; 600 rows in all"))
        let missing = try await CLI.run(["describe", "--sandbox", "nope.nope"])
        #expect(missing.status == 65 && missing.stderr.contains("404"))
        let none = try await CLI.run(["describe", "--sandbox"])
        #expect(none.status == 64 && none.stderr.contains("cbq describe takes endpoints"))
    }

    @Test func encodedPrintsTheWireForm() async throws {
        let result = try await CLI.run(["translate", "--encoded", "--region", "ca", "SELECT * FROM people.people WHERE last_name LIKE 'Doe'"])
        #expect(result.stdout == "https://api.casebookca.net/people/people?filter%5Blast_name%5D%5Blike%5D=Doe&page%5Bsize%5D=100\n")
    }

    @Test func curlNamesTheTokenVariableAndNeverItsValue() async throws {
        let result = try await CLI.run(["translate", "--curl", "SELECT * FROM people.people LIMIT 5"],
                                 environment: ["CASEBOOK_TOKEN": "s3cr3t-token-value"])
        #expect(result.status == 0)
        #expect(result.stdout == """
            curl -sS -H "Authorization: Bearer $CASEBOOK_TOKEN" -H 'Accept: application/vnd.api+json' -H 'Content-Type: application/vnd.api+json' 'https://api.casebook.net/people/people?page%5Bsize%5D=5'

            """)
        #expect(!result.stdout.contains("s3cr3t") && !result.stderr.contains("s3cr3t"))
    }

    /// cbq sends no token over plain http to another machine; the command it prints does not
    /// either. To loopback it does, as cbq would.
    @Test func curlOverPlainHTTPElsewhereCarriesNoToken() async throws {
        let remote = try await CLI.run(["translate", "--curl", "--base-url", "http://example.org", "SELECT * FROM people.people LIMIT 1"])
        #expect(remote.status == 0)
        #expect(!remote.stdout.contains("Authorization"), "\(remote.stdout)")
        #expect(remote.stdout.hasSuffix("'http://example.org/people/people?page%5Bsize%5D=1'  # no token: cbq sends it over https only (or to loopback)\n"))
        let local = try await CLI.run(["translate", "--curl", "--base-url", "http://127.0.0.1:8080", "SELECT * FROM people.people LIMIT 1"])
        #expect(local.stdout.contains("Authorization: Bearer $CASEBOOK_TOKEN") && !local.stdout.contains("#"), "\(local.stdout)")
    }

    @Test func dialectAndBaseURLSwitches() async throws {
        let result = try await CLI.run(["translate", "--dialect", "jsonapi", "--base-url", "http://127.0.0.1:8080/", "--page-size", "20",
                                  "SELECT * FROM a.b WHERE x > 1 OFFSET 40"])
        #expect(result.stdout == "http://127.0.0.1:8080/a/b?filter[x][gt]=1&page[size]=20&page[number]=3\n")
        let mixed = try await CLI.run(["translate", "--comparisons", "gt-lt", "--page-param", "page", "SELECT * FROM a.b WHERE x < 1 OFFSET 100"])
        #expect(mixed.stdout == "https://api.casebook.net/a/b?filter[x][lt]=1&page[size]=100&page=2\n")
    }

    @Test func variablesBindParameters() async throws {
        let result = try await CLI.run(["translate", "--var", "name=O'Brien", "--var", "n=5",
                                  "SELECT * FROM people.people WHERE last_name = :name LIMIT :n"])
        #expect(result.stdout == "https://api.casebook.net/people/people?filter[last_name]=O%27Brien&page[size]=5\n")
    }

    @Test func aScriptPrintsOneLinePerRequest() async throws {
        let script = "SELECT * FROM a.b;\n-- comment\nSELECT * FROM c.d WHERE id IN ('x', 'y');\n"
        let result = try await CLI.run(["translate"], stdin: script)
        #expect(result.stdout == """
            https://api.casebook.net/a/b?page[size]=100
            https://api.casebook.net/c/d/x
            https://api.casebook.net/c/d/y

            """)
    }

    @Test func readsAFileAndIgnoresAShebang() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cbq-test-\(UUID().uuidString).cbq")
        try "#!/usr/bin/env cbq\nSELECT *\nFROM a.b\nWHERE x >;\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try await CLI.run(["translate", "-f", file.path])
        #expect(result.status == 65)
        #expect(result.stderr.hasPrefix("\(file.path):4:10: error: expected a value after '>'\n  |\n4 | WHERE x >;\n"))
        #expect(result.stdout == "")
    }

    @Test func syntaxErrorsExit65WithTheLineAndACaret() async throws {
        let result = try await CLI.run(["translate", "SELECT * FORM people.people"])
        #expect(result.status == 65)
        #expect(result.stderr == """
            <query>:1:10: error: expected 'FROM' after the select list, found 'FORM'
              |
            1 | SELECT * FORM people.people
              |          ^^^^
              = hint: did you mean 'FROM'?

            """)
    }

    @Test func unboundParametersExit65() async throws {
        let result = try await CLI.run(["translate", "SELECT * FROM a.b WHERE x = :who"])
        #expect(result.status == 65)
        #expect(result.stderr.hasPrefix("<query>:1:29: error: no value for parameter ':who'"))
    }

    @Test(arguments: [
        ["translate", "--region", "eu", "SELECT * FROM a.b"],
        ["translate", "--base-url", "ftp://x", "SELECT * FROM a.b"],
        ["translate", "--base-url", "https://x?y=1", "SELECT * FROM a.b"],
        ["translate", "--region", "us", "--base-url", "https://x", "SELECT * FROM a.b"],
        ["translate", "--var", "1x=2", "SELECT * FROM a.b"],
        ["translate", "--var", "novalue", "SELECT * FROM a.b"],
        ["translate", "--page-size", "0", "SELECT * FROM a.b"],
        ["translate", "--no-such-flag", "SELECT * FROM a.b"],
    ])
    func usageErrorsExit64(arguments: [String]) async throws {
        let result = try await CLI.run(arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains("Error:") || result.stderr.contains("error:"))
    }

    @Test func emptyInputIsAnError() async throws {
        let result = try await CLI.run(["translate"], stdin: "  -- only a comment\n")
        #expect(result.status == 65)
        #expect(result.stderr.contains("error: no statement to run"))
    }

    /// The URL alone would read as the whole query: stderr says that conditions run locally.
    @Test func translateSaysWhenConditionsRunLocally() async throws {
        let local = try await CLI.run(["translate", "SELECT * FROM people.people WHERE age > 3 AND lower(city) = 'x' OR state = 'WA'"])
        #expect(local.status == 0 && local.stdout == "https://api.casebook.net/people/people?page[size]=100\n")
        #expect(local.stderr == "note: 1 condition runs here, not in the URL; `cbq explain` shows which\n")
        let pushed = try await CLI.run(["translate", "SELECT * FROM people.people WHERE age > 3"])
        #expect(pushed.stderr.isEmpty)
    }

    @Test func explainShowsWhatIsSentAndWhatIsEvaluatedLocally() async throws {
        let result = try await CLI.run(["explain", "SELECT first_name FROM people.people WHERE last_name LIKE 'Doe' AND state IN ('WA', 'OR') ORDER BY created_at DESC LIMIT 5"])
        #expect(result.status == 0)
        #expect(result.stdout == """
            GET https://api.casebook.net/people/people?filter[last_name][like]=Doe&sort=-created_at&page[size]=100
              then page=2, page=3, … (or the server's links.next) until 5 rows have passed the local predicates, or no page is left

              sent to the API    last_name LIKE 'Doe'   filter[last_name][like]=Doe
              evaluated locally  state IN ('WA', 'OR')  the API has no IN filter
              sort               created_at DESC        sort=-created_at (the rows' order is checked)
              page size          100                    whole pages: local predicates decide which rows count toward LIMIT
              row cap            5                      LIMIT
              columns            first_name

            warning: 1 predicate is evaluated locally, not by the API: every page that matches the API's filters may be fetched until the LIMIT is reached

            """)
    }

    /// `--server-sort off`: no `sort=`, every page (the sort and its LIMIT run here); `trusted`:
    /// the LIMIT's page size, as nothing is checked.
    @Test func noServerSortSendsNoSort() async throws {
        let statement = "SELECT id FROM people.people ORDER BY last_name DESC LIMIT 3"
        #expect(try await CLI.run(["translate", statement]).stdout == "https://api.casebook.net/people/people?sort=-last_name&page[size]=20\n")
        let local = try await CLI.run(["translate", "--server-sort", "off", statement])
        #expect(local.status == 0)
        #expect(local.stdout == "https://api.casebook.net/people/people?page[size]=100\n")
        let trusted = try await CLI.run(["translate", "--server-sort", "trusted", statement])
        #expect(trusted.stdout == "https://api.casebook.net/people/people?sort=-last_name&page[size]=3\n")
        let wrong = try await CLI.run(["translate", "--server-sort", "maybe", statement])
        #expect(wrong.status == 64)
        #expect(wrong.stderr.contains("checked"))
    }

    @Test func explainStatementTranslatesLikeASelect() async throws {
        let result = try await CLI.run(["translate", "EXPLAIN SELECT * FROM people.people LIMIT 3"])
        #expect(result.stdout == "https://api.casebook.net/people/people?page[size]=3\n")
    }
}

@Suite(.timeLimit(.minutes(3)))
struct TotalPathTests {
    @Test(arguments: ["total", "meta", "meta.", "data.total", "meta..total"])
    func aTotalOutsideMetaIsAUsageError(path: String) async throws {
        let result = try await CLI.run(["translate", "--total-path", path, "SELECT COUNT(*) FROM a.b"])
        #expect(result.status == 64, "\(path)")
        #expect(result.stderr.contains("--total-path names a member of meta"))
    }

    @Test func aNestedMetaPathIsAccepted() async throws {
        #expect(try await CLI.run(["translate", "--total-path", "meta.page.total", "SELECT COUNT(*) FROM a.b"]).status == 0)
    }
}
