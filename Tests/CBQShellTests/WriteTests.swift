import CBQCore
import CBQRuntime
import CBQSandbox
import Testing
@testable import CBQShell

/// INSERT, UPDATE and DELETE through the session against the in-process sandbox: the exact
/// requests and bodies, what later reads see, and every way a write is stopped or refused.
@Suite(.timeLimit(.minutes(1)))
struct WriteTests {
    /// The write requests the transport saw: method, path and body.
    private func writes(_ shell: ShellHarness) -> [String] {
        shell.transport.sent.filter { $0.method != .get }.map { request in
            "\(request.method.rawValue) \(request.url.pathAndQuery)" + (request.body.map { " " + String(decoding: $0, as: UTF8.self) } ?? "")
        }
    }

    @Test func insertPostsOneDocumentPerRowAndLaterReadsSeeThem() async {
        let shell = ShellHarness(format: .csv)
        let status = await shell.run("""
            INSERT INTO intake.reports (status, source, county, person_id) VALUES ('new', 'hotline', 'Ada', 'PER-00001'), ('screened', 'web', NULL, NULL);
            SELECT id, status, source, county FROM intake.reports WHERE id >= 'RPT-00801';
            """)
        #expect(status == 0)
        #expect(writes(shell) == [
            #"POST /intake/reports {"data":{"type":"reports","attributes":{"status":"new","source":"hotline","county":"Ada","person_id":"PER-00001"}}}"#,
            #"POST /intake/reports {"data":{"type":"reports","attributes":{"status":"screened","source":"web","county":null,"person_id":null}}}"#,
        ])
        // In CSV (and JSON) the command tag goes to standard error: the output stays CSV.
        #expect(shell.output == "id,status,source,county\r\nRPT-00801,new,hotline,Ada\r\nRPT-00802,screened,web,\r\n")
        #expect(shell.errorText == "INSERT 2\n")
    }

    @Test func updateReadsTheRowsItsWhereFindsThenPatchesEach() async {
        let shell = ShellHarness()
        let status = await shell.run("UPDATE people.people SET city = 'Springfield' WHERE last_name LIKE 'Doe' AND state = 'WA' AND lower(city) = 'tacoma'")
        #expect(status == 0)
        #expect(shell.output == "UPDATE 3\n")
        let sent = shell.transport.sent.map { "\($0.method.rawValue) \($0.url.pathAndQuery)" }
        #expect(sent == [
            "GET /people/people?filter%5Blast_name%5D%5Blike%5D=Doe&filter%5Bstate%5D=WA&page%5Bsize%5D=100",
            "PATCH /people/people/PER-00950", "PATCH /people/people/PER-00973", "PATCH /people/people/PER-01047",
        ])
        #expect(writes(shell)[0] == #"PATCH /people/people/PER-00950 {"data":{"type":"people","id":"PER-00950","attributes":{"city":"Springfield"}}}"#)
        let after = ShellHarness(format: .csv, transport: shell.transport)
        await after.run("SELECT id FROM people.people WHERE city = 'Springfield'")
        #expect(after.output == "id\r\nPER-00950\r\nPER-00973\r\nPER-01047\r\n")
    }

    /// `SET n = n + 1` is computed per row from what the read returned, and sent as a value.
    @Test func aSetExpressionReadsTheRowsOwnColumns() async {
        let shell = ShellHarness(format: .csv)
        let status = await shell.run("""
            UPDATE services.service_offerings SET capacity_usage = capacity_usage + 1, name = name || ' (full)'
            WHERE id IN ('SVC-0001', 'SVC-0002') RETURNING id, capacity_usage, max_capacity
            """)
        #expect(status == 0)
        #expect(shell.output == "id,capacity_usage,max_capacity\r\nSVC-0001,13,20\r\nSVC-0002,28,40\r\n")
        #expect(writes(shell).first?.hasPrefix(#"PATCH /services/service_offerings/SVC-0001 {"data":{"type":"service_offerings","id":"SVC-0001","attributes":{"capacity_usage":13,"name":""#) == true)
    }

    @Test func deleteReturningGivesTheRowsAsReadAndThenTheyAreGone() async {
        let shell = ShellHarness(format: .csv)
        let status = await shell.run("""
            DELETE FROM attachments.notes WHERE id IN ('NTE-00001', 'NTE-00002') RETURNING id, note_type;
            SELECT COUNT(*) FROM attachments.notes;
            SELECT id FROM attachments.notes WHERE id = 'NTE-00001';
            """)
        #expect(status == 0)
        #expect(writes(shell) == ["DELETE /attachments/notes/NTE-00001", "DELETE /attachments/notes/NTE-00002"])
        #expect(shell.output == "id,note_type\r\nNTE-00001,visit\r\nNTE-00002,contact\r\ncount\r\n1998\r\nid\r\n")
    }

    @Test func deleteByIDSendsOnlyTheDeletesAndPrintsTheTag() async {
        let shell = ShellHarness()
        #expect(await shell.run("DELETE FROM attachments.notes WHERE id = 'NTE-00005'") == 0)
        #expect(shell.transport.sent.map(\.method) == [.delete])
        #expect(shell.output == "DELETE 1\n")
    }

    @Test func aDryRunRunsTheReadsAndPrintsEveryWriteSendingNone() async {
        let shell = ShellHarness()
        shell.session.dryRun = true
        let status = await shell.run("""
            UPDATE people.people SET city = upper(city) WHERE last_name LIKE 'Doe' AND state = 'WA' AND lower(city) = 'tacoma';
            INSERT INTO intake.reports (status) VALUES ('new');
            DELETE FROM attachments.notes WHERE id = 'NTE-00001';
            """)
        #expect(status == 0)
        #expect(shell.transport.api.writeCount == 0)
        #expect(shell.transport.sent.allSatisfy { $0.method == .get })
        #expect(shell.output == """
            PATCH http://sandbox.test/people/people/PER-00950
              {"data":{"type":"people","id":"PER-00950","attributes":{"city":"TACOMA"}}}
            PATCH http://sandbox.test/people/people/PER-00973
              {"data":{"type":"people","id":"PER-00973","attributes":{"city":"TACOMA"}}}
            PATCH http://sandbox.test/people/people/PER-01047
              {"data":{"type":"people","id":"PER-01047","attributes":{"city":"TACOMA"}}}
            would UPDATE 3 rows

            POST http://sandbox.test/intake/reports
              {"data":{"type":"reports","attributes":{"status":"new"}}}
            would INSERT 1 row

            DELETE http://sandbox.test/attachments/notes/NTE-00001
            would DELETE 1 row

            """)
    }

    @Test func dryRunIsAShellCommandToo() async {
        let shell = ShellHarness()
        await shell.type("\\dryrun on", "DELETE FROM attachments.notes WHERE id = 'NTE-00001';", "\\dryrun off")
        #expect(shell.transport.api.writeCount == 0)
        #expect(shell.output.contains("Dry run is on"))
        #expect(shell.output.contains("DELETE http://sandbox.test/attachments/notes/NTE-00001\nwould DELETE 1 row\n"))
        #expect(shell.output.contains("Dry run is off"))
    }

    @Test func readOnlyRefusesEveryWriteBeforeAnythingIsSent() async {
        let shell = ShellHarness()
        shell.session.readOnly = true
        for statement in ["INSERT INTO intake.reports (status) VALUES ('new')", "UPDATE people.people SET city = 'x' WHERE last_name = 'Doe'",
                          "DELETE FROM attachments.notes WHERE id = 'NTE-00001'"] {
            #expect(await shell.run(statement) == SysExit.dataError)
        }
        #expect(shell.transport.sent.isEmpty)
        #expect(shell.errorText.hasPrefix("<query>:1:1: error: cannot INSERT: this session is read-only\n"))
        #expect(await shell.run("SELECT COUNT(*) FROM intake.reports") == 0)
    }

    /// The sandbox acts on the POST and drops the connection: sending it again would create a
    /// second report, so cbq stops and says the outcome is unknown.
    @Test func aPostIsNeverSentAgainOnceTheServerMayHaveActed() async {
        var options = SandboxOptions()
        options.dropWriteEvery = 1
        let shell = ShellHarness(format: .csv, sandbox: options)
        let status = await shell.run("INSERT INTO intake.reports (status) VALUES ('new'), ('screened')")
        #expect(status == SysExit.unavailable)
        #expect(shell.transport.api.writeCount == 1)
        #expect(shell.errorText.contains("""
            note: INSERT stopped after 0 of 2 rows; nothing was written; failed: row 1 of VALUES, its outcome is unknown \
            (it may have reached the API before its answer was lost or failed): check it before trying again; not sent: row 2 of VALUES
            """))
        let count = ShellHarness(format: .csv, transport: shell.transport)
        await count.run("SELECT COUNT(*) FROM intake.reports")
        #expect(count.output == "count\r\n801\r\n")
    }

    /// A PATCH sets values, so sending it again after a lost answer is safe.
    @Test func aPatchIsSentAgainAfterALostAnswer() async {
        var options = SandboxOptions()
        options.dropWriteEvery = 2
        let shell = ShellHarness(sandbox: options)
        let status = await shell.run("UPDATE people.people SET city = 'Springfield' WHERE id IN ('PER-00001', 'PER-00002')")
        #expect(status == 0)
        #expect(shell.output == "UPDATE 2\n")
        #expect(shell.transport.api.writeCount == 3)
        #expect(writes(shell).map { $0.prefix(30) } == ["PATCH /people/people/PER-00001", "PATCH /people/people/PER-00002", "PATCH /people/people/PER-00002"])
    }

    @Test func aFailureInTheMiddleSaysWhichRowsWereWrittenAndWhichWereNot() async {
        let shell = ShellHarness()
        let status = await shell.run("UPDATE people.people SET city = 'Springfield' WHERE id IN ('PER-00001', 'PER-00002', 'PER-99999', 'PER-00003', 'PER-00004')")
        #expect(status == SysExit.dataError)
        #expect(shell.output == "")
        #expect(shell.errorText == """
            <query>:1:1: error: the API answered 404 Not Found to PATCH http://sandbox.test/people/people/PER-99999
              |
            1 | UPDATE people.people SET city = 'Springfield' WHERE id IN ('PER-00…
              | ^^^^^^ while running this statement
              = hint: no such resource: it may have been deleted meanwhile, or the id or endpoint is wrong
              Not Found: no people with id 'PER-99999'
            note: UPDATE stopped after 2 of 5 rows; written: PER-00001, PER-00002; failed: PER-99999, it was not written; not sent: PER-00003, PER-00004

            """)
        #expect(shell.transport.api.writeCount == 3)
    }

    @Test func a422IsShownUnderTheColumnItNames() async {
        let shell = ShellHarness()
        let status = await shell.run("UPDATE people.people SET city = 'x', first_name = 42 WHERE id = 'PER-00001'", name: "fix.cbq")
        #expect(status == SysExit.dataError)
        #expect(shell.errorText == """
            fix.cbq:1:38: error: the API answered 422 Unprocessable Entity to PATCH http://sandbox.test/people/people/PER-00001
              |
            1 | UPDATE people.people SET city = 'x', first_name = 42 WHERE id = 'PER-00001'
              |                                      ^^^^^^^^^^ the API rejected this value
              = hint: the API rejected a value: fix it and run the statement again (rows already written stay written)
              Invalid attribute: 'first_name' takes a string, not a number (at /data/attributes/first_name)
            note: UPDATE stopped after 0 of 1 row; nothing was written; failed: PER-00001, it was not written

            """)
    }

    @Test func anInsertsClientIDIsForbiddenUnlessTheServerTakesThem() async {
        let shell = ShellHarness()
        #expect(await shell.run("INSERT INTO attachments.notes (id, subject) VALUES ('NTE-X1', 'visit')") == SysExit.noPermission)
        #expect(shell.errorText.contains("the API assigns ids itself: leave id out of the INSERT"))
        var options = SandboxOptions()
        options.acceptsClientIDs = true
        let taking = ShellHarness(format: .csv, sandbox: options)
        #expect(await taking.run("INSERT INTO attachments.notes (id, subject) VALUES ('NTE-X1', 'visit') RETURNING id, subject") == 0)
        #expect(taking.output == "id,subject\r\nNTE-X1,visit\r\n")
        #expect(await taking.run("INSERT INTO attachments.notes (id, subject) VALUES ('NTE-X1', 'again')") == SysExit.dataError)
        #expect(taking.errorText.contains("409 Conflict"))
    }

    /// The API's type for people is "people": a body that says "person" is refused, and the
    /// hint names the setting.
    @Test func aTypeTheServerDoesNotKnowIsAConflictWithAHint() async {
        let shell = ShellHarness(resourceTypes: ["people.people": "person"])
        #expect(await shell.run("UPDATE people.people SET city = 'x' WHERE id = 'PER-00001'") == SysExit.dataError)
        #expect(shell.errorText.contains("409 Conflict"))
        #expect(shell.errorText.contains("cbq sent type 'person'; if the API's type for people.people differs, name it with --resource-type people.people=TYPE"))
    }

    /// A read's rows carry the server's type, and a write by read sends it back.
    @Test func aRowsOwnTypeIsWhatItsPatchSends() async {
        let shell = ShellHarness(resourceTypes: ["people.people": "person"])
        #expect(await shell.run("UPDATE people.people SET city = 'x' WHERE id = 'PER-00001' AND last_name = 'Patel'") == 0)
        #expect(writes(shell) == [#"PATCH /people/people/PER-00001 {"data":{"type":"people","id":"PER-00001","attributes":{"city":"x"}}}"#])
    }

    /// A server whose type for people is "person": once a read has shown it, an INSERT sends it.
    @Test func anInsertSendsTheTypeAReadShowed() async {
        let transport = InProcessTransport(alter: { body in
            Array(String(decoding: body, as: UTF8.self).replacing(#""type":"people""#, with: #""type":"person""#).utf8)
        })
        let shell = ShellHarness(transport: transport)
        shell.session.dryRun = true
        await shell.run("INSERT INTO people.people (last_name) VALUES ('Doe')")
        await shell.run("SELECT id FROM people.people LIMIT 1")
        await shell.run("INSERT INTO people.people (last_name) VALUES ('Doe')")
        let bodies = shell.output.split(separator: "\n").filter { $0.contains(#"{"data""#) }
        #expect(bodies.map { $0.contains(#""type":"people""#) } == [true, false])
        #expect(bodies.last?.contains(#""type":"person""#) == true)
    }

    /// A server that ignores a filter returns every row: the write must not touch them.
    @Test func aFilterTheServerIgnoredStopsTheWriteBeforeAnyRequest() async {
        let transport = InProcessTransport(rewrite: { $0.replacing("filter%5Bstate%5D=WA&", with: "") })
        let shell = ShellHarness(transport: transport)
        let status = await shell.run("UPDATE people.people SET city = 'x' WHERE last_name LIKE 'Doe' AND state = 'WA'")
        #expect(status == SysExit.dataError)
        #expect(shell.errorText.hasPrefix("""
            <query>:1:68: error: the API returned rows that do not satisfy filter[state]=WA (PER-00003, where state = 'WA' is not true): it may not support that filter
            """))
        #expect(transport.api.writeCount == 0)
        #expect(shell.output == "")
    }

    /// A server that ignores the page number answers page 1 again and again: the rows after it
    /// are never seen, so the write must not claim them done.
    @Test func aReadWhosePagesRepeatWritesNothing() async {
        let transport = InProcessTransport(rewrite: { $0.replacing(/&page=\d+/, with: "") })
        let shell = ShellHarness(transport: transport)
        let status = await shell.run("UPDATE people.people SET city = 'x' WHERE state = 'WA'")
        #expect(status == SysExit.dataError)
        #expect(shell.errorText.hasPrefix("<query>:1:1: error: the API answered page 2 of this read "))
        #expect(shell.errorText.contains("with rows it had already sent: it did not honour the page asked for"))
        #expect(transport.api.writeCount == 0)
        let capped = ShellHarness(maxPages: 1)
        #expect(await capped.run("DELETE FROM attachments.notes WHERE note_type = 'visit'") == SysExit.dataError)
        #expect(capped.errorText.contains("stopped after 1 pages (--max-pages); more pages remain; nothing was written"))
        #expect(capped.transport.api.writeCount == 0)
    }

    /// The sandbox deletes, then loses the answer; the retry finds the note gone. A row the
    /// read found was there: it was deleted. By id alone (nothing read), it may never have been
    /// there: its outcome is unknown (a nonexistent id after a 503 was reported deleted).
    @Test func aDeleteWhoseRetryFindsItGoneWasDeleted() async {
        var options = SandboxOptions()
        options.dropWriteEvery = 1
        let shell = ShellHarness(sandbox: options)
        #expect(await shell.run("DELETE FROM attachments.notes WHERE id IN ('NTE-00001', 'NTE-00002') AND note_type IN ('visit', 'contact')") == 0)
        #expect(shell.output == "DELETE 2\n")
        #expect(shell.errorText.contains("note: NTE-00001: the first DELETE's answer was lost or failed and the retry found it gone: it was deleted"))
        let byID = ShellHarness(sandbox: options)
        #expect(await byID.run("DELETE FROM attachments.notes WHERE id IN ('NTE-00003', 'NTE-00004')") == SysExit.dataError)
        #expect(byID.errorText.contains("failed: NTE-00003, its outcome is unknown"), "\(byID.errorText)")
        // A 404 on the first attempt is still an error: nothing says it was ever there.
        let plain = ShellHarness()
        #expect(await plain.run("DELETE FROM attachments.notes WHERE id IN ('NTE-00001', 'NTE-99999', 'NTE-00002')") == SysExit.dataError)
        #expect(plain.errorText.contains("failed: NTE-99999, it was not written; not sent: NTE-00002"))
    }

    /// A 5xx to a POST may come from a gateway that passed it on: its outcome is unknown.
    @Test func aPostAnswered500HasAnUnknownOutcome() async {
        var options = SandboxOptions()
        options.failEvery = 1
        options.failureStatus = 500
        let shell = ShellHarness(sandbox: options)
        #expect(await shell.run("INSERT INTO intake.reports (status) VALUES ('new')") == SysExit.unavailable)
        #expect(shell.errorText.contains("failed: row 1 of VALUES, its outcome is unknown"))
    }

    /// Once the API answered 2xx the row is written, whatever its answer holds: an answer cbq
    /// cannot read spoils RETURNING, not the count, and the remaining rows still go.
    @Test func anAnswerThatCannotBeReadStillCountsTheRowWritten() async {
        let transport = InProcessTransport(alter: { _ in Array("not json".utf8) })
        let shell = ShellHarness(transport: transport)
        #expect(await shell.run("INSERT INTO intake.reports (status) VALUES ('new'), ('screened') RETURNING id") == SysExit.dataError)
        #expect(transport.api.writeCount == 2)
        // The ids come from the answers' Location headers.
        #expect(shell.errorText.contains("error: RETURNING is incomplete: the API's answer for RPT-00801: its answer is not a JSON:API document: "))
        #expect(shell.errorText.contains("note: INSERT 2 was done all the same: only RETURNING failed"))
        let plain = ShellHarness(transport: InProcessTransport(alter: { _ in Array("not json".utf8) }))
        #expect(await plain.run("INSERT INTO intake.reports (status) VALUES ('new')") == 0)
        #expect(plain.output == "INSERT 1\n")
        #expect(plain.errorText.contains("note: the API's answer for RPT-00801 could not be read (it was written): its answer is not a JSON:API document"))
    }

    /// A 2xx answer whose resource leaves out an attribute that was sent: a server that does
    /// not write it (read-only, unknown) may drop it without a word. The statement stops there,
    /// the row counted as written, the rest not sent. Before, this was a note and exit 0: a
    /// write reported done that may not have happened (found by a review).
    @Test func anAnswerWithoutAnAttributeSentStopsTheWrite() async {
        // Single resources (the writes' answers) lose their city; pages keep it.
        let dropsCity = InProcessTransport(alter: { body in
            let text = String(decoding: body, as: UTF8.self)
            guard text.hasPrefix(#"{"data":{"#) else { return body }
            return Array(text.replacing(/"city":"[^"]*",?/, with: "").utf8)
        })
        let shell = ShellHarness(transport: dropsCity)
        // The read (pages, which keep their city) shows the column: its absence is telling.
        #expect(await shell.run("UPDATE people.people SET city = 'Boise', last_name = 'Doe' WHERE last_name LIKE 'Doe' AND state = 'WA' AND lower(city) = 'tacoma'")
                == SysExit.dataError)
        #expect(dropsCity.api.writeCount == 1)
        #expect(shell.errorText.contains("error: the API answered PER-00950 without city, which was sent: it may not have been written"), "\(shell.errorText)")
        #expect(shell.errorText.contains("UPDATE people.people SET city = 'Boise'"))
        #expect(shell.errorText.contains("note: UPDATE stopped after 1 of 3 rows; written: PER-00950; not sent: PER-00973, PER-01047"), "\(shell.errorText)")
        // An attribute sent as null may be left out, as null attributes may be of any resource.
        let dropsNulls = InProcessTransport(alter: { body in
            let text = String(decoding: body, as: UTF8.self)
            guard text.hasPrefix(#"{"data":{"#) else { return body }
            return Array(text.replacing(/"county":null,?/, with: "").utf8)
        })
        let insert = ShellHarness(transport: dropsNulls)
        #expect(await insert.run("INSERT INTO intake.reports (status, county) VALUES ('new', NULL), ('screened', NULL)") == 0)
        #expect(insert.output == "INSERT 2\n")
        #expect(insert.errorText == "")
    }

    /// An attribute no read has shown (write-only, such as a password) is absent from every
    /// answer: a note, and the write goes on, where one the rows have stops it (above).
    @Test func aWriteOnlyAttributeLeftOutOfTheAnswerIsANote() async {
        let writeOnly = InProcessTransport(answer: { request in
            guard request.method == .patch else { return nil }
            let id = request.url.pathAndQuery.split(separator: "/").last.map(String.init) ?? ""
            return HTTPReply(status: 200, body: Array(#"{"data":{"type":"people","id":"\#(id)","attributes":{"first_name":"Ada"}}}"#.utf8))
        })
        let shell = ShellHarness(transport: writeOnly)
        #expect(await shell.run("UPDATE people.people SET secret_code = 'x' WHERE id IN ('PER-00001', 'PER-00002')") == 0, "\(shell.errorText)")
        #expect(shell.output == "UPDATE 2\n")
        #expect(shell.errorText.contains("note: the API answered PER-00001 without secret_code, which was sent and no read has shown: it may be write-only, or not written"),
                "\(shell.errorText)")
    }

    /// An answer with another value than the one sent (a server that normalises, or rewrites)
    /// says what it stored: a note, and the write goes on.
    @Test func anAnswerWithAnotherValueIsANote() async {
        let shouts = InProcessTransport(alter: { body in
            let text = String(decoding: body, as: UTF8.self)
            guard text.hasPrefix(#"{"data":{"#) else { return body }
            return Array(text.replacing(#""city":"Boise""#, with: #""city":"BOISE""#).utf8)
        })
        let shell = ShellHarness(transport: shouts)
        #expect(await shell.run("UPDATE people.people SET city = 'Boise' WHERE id IN ('PER-00001', 'PER-00002')") == 0)
        #expect(shell.output == "UPDATE 2\n")
        #expect(shell.errorText.contains(#"note: the API answered PER-00001 with city = "BOISE", not "Boise" as sent"#), "\(shell.errorText)")
    }

    @Test func aRelationshipIsNotSetAsAnAttribute() async {
        let shell = ShellHarness()
        #expect(await shell.run("UPDATE cases.cases SET person = 'PER-00002' WHERE status = 'open' AND county = 'Ada'") == SysExit.dataError)
        #expect(shell.errorText.contains("error: 'person' is a relationship of cases.cases, and cbq writes attributes only"))
        #expect(shell.transport.api.writeCount == 0)
    }

    /// An UPDATE by id reads no row, so one GET of its first checks SET as a read would:
    /// before, a misspelt column or a relationship went out in the PATCH, which a lenient
    /// server answers 200 without changing anything (found by a review).
    @Test func anUpdateByIDChecksItsSetColumnsFirst() async {
        let typo = ShellHarness()
        #expect(await typo.run("UPDATE people.people SET frist_name = 'A' WHERE id = 'PER-00001'") == SysExit.dataError)
        #expect(typo.errorText.contains("did you mean 'first_name'? nothing was sent"))
        let related = ShellHarness()
        #expect(await related.run("UPDATE cases.cases SET person = 'PER-00002' WHERE id IN ('CAS-00001', 'CAS-00002')") == SysExit.dataError)
        #expect(related.errorText.contains("error: 'person' is a relationship of cases.cases, and cbq writes attributes only"))
        #expect(typo.transport.api.writeCount + related.transport.api.writeCount == 0)
        let good = ShellHarness()
        #expect(await good.run("UPDATE people.people SET city = 'Boise' WHERE id IN ('PER-00001', 'PER-00002')") == 0)
        #expect(good.output == "UPDATE 2\n")
        #expect(good.transport.sent.map(\.method) == [.get, .patch, .patch])
    }

    @Test func aValueJSONCannotHoldIsAnErrorNotANull() async {
        let shell = ShellHarness()
        #expect(await shell.run("UPDATE services.service_offerings SET capacity_usage = capacity_usage * 1e308 * 1e308 WHERE id = 'SVC-0001'")
            == SysExit.dataError)
        // The arithmetic itself is the error now (a double past its range), before any write.
        #expect(shell.errorText.contains("error: the result is beyond a double's range"))
        #expect(shell.transport.api.writeCount == 0)
    }

    @Test func anIDNoURLCanCarryIsRefused() async {
        let shell = ShellHarness()
        #expect(await shell.run("DELETE FROM attachments.notes WHERE id = '..'") == SysExit.dataError)
        #expect(shell.errorText.contains("error: the id '..' cannot name a resource in a URL"))
        #expect(shell.transport.sent.isEmpty)
    }

    @Test func aMisspeltSetColumnIsAnErrorBeforeAnyWrite() async {
        let shell = ShellHarness()
        #expect(await shell.run("UPDATE people.people SET frist_name = 'x' WHERE last_name LIKE 'Doe'") == SysExit.dataError)
        #expect(shell.errorText.contains("error: column 'frist_name' does not exist in people.people"))
        #expect(shell.errorText.contains("did you mean 'first_name'? nothing was sent"))
        let expression = ShellHarness()
        #expect(await expression.run("UPDATE people.people SET city = upper(cty) WHERE last_name LIKE 'Doe'") == SysExit.dataError)
        #expect(expression.errorText.contains("column 'cty' does not exist in people.people"))
        let returning = ShellHarness()
        #expect(await returning.run("DELETE FROM attachments.notes WHERE note_type = 'visit' RETURNING subjct") == SysExit.dataError)
        #expect(shell.transport.api.writeCount + expression.transport.api.writeCount + returning.transport.api.writeCount == 0)
    }

    @Test func noMatchingRowIsATagOfZeroAndNoWrite() async {
        let shell = ShellHarness()
        #expect(await shell.run("DELETE FROM attachments.notes WHERE subject = 'no such subject'") == 0)
        #expect(shell.output == "DELETE 0\n")
        #expect(shell.transport.api.writeCount == 0)
    }

    // MARK: - Asking first

    @Test func theShellAsksBeforeABulkWriteAndEveryDelete() async {
        let shell = ShellHarness()
        let reader = await shell.type([.line("DELETE FROM attachments.notes WHERE id = 'NTE-00001';"), .line("n"),
                                       .line("UPDATE people.people SET city = 'x' WHERE id IN ('PER-00001', 'PER-00002');"), .line("y"),
                                       .line("UPDATE people.people SET city = 'y' WHERE id = 'PER-00003';")])
        #expect(reader.prompts.contains("DELETE 1 row from attachments.notes? [y/N] "))
        #expect(reader.prompts.contains("UPDATE 2 rows of people.people? [y/N] "))
        // One row of an UPDATE is not asked about.
        #expect(!reader.prompts.contains { $0.contains("PER-00003") || $0.hasPrefix("UPDATE 1 row") })
        #expect(shell.errorText.contains("error: DELETE cancelled: nothing was sent"))
        #expect(writes(shell).map { String($0.prefix(30)) } == ["PATCH /people/people/PER-00001", "PATCH /people/people/PER-00002",
                                                                 "PATCH /people/people/PER-00003"])
        #expect(shell.output.contains("UPDATE 2\n") && shell.output.contains("UPDATE 1\n"))
    }

    @Test func scriptsDoNotAskUnlessToldTo() async {
        let shell = ShellHarness()
        #expect(await shell.run("DELETE FROM attachments.notes WHERE id IN ('NTE-00001', 'NTE-00002')") == 0)
        #expect(shell.output == "DELETE 2\n")
        let asking = ShellHarness()
        asking.session.confirmsWrites = true
        asking.session.confirm = { _ in false }
        #expect(await asking.run("DELETE FROM attachments.notes WHERE id IN ('NTE-00001', 'NTE-00002')") == SysExit.interrupted)
        #expect(asking.transport.api.writeCount == 0)
        let unanswerable = ShellHarness()
        unanswerable.session.confirmsWrites = true
        #expect(await unanswerable.run("DELETE FROM attachments.notes WHERE id = 'NTE-00001'") == SysExit.interrupted)
        #expect(unanswerable.transport.api.writeCount == 0)
    }

    @Test func tabCompletesWritesTheirEndpointsAndColumns() async {
        let shell = ShellHarness()
        await shell.run("SELECT * FROM people.people LIMIT 1")
        let completer = shell.session.completer
        #expect(completer.candidates(word: "UPD", before: "") == .words(["UPDATE"]))
        #expect(completer.candidates(word: "de", before: "") == .words(["delete"]))
        #expect(completer.candidates(word: "peo", before: "UPDATE ") == .words(["people.people"]))
        #expect(completer.candidates(word: "int", before: "INSERT INTO ") == .words(["intake.reports"]))
        #expect(completer.candidates(word: "fir", before: "UPDATE people.people SET ") == .words(["first_name", "first"]))
        #expect(completer.candidates(word: "RET", before: "DELETE FROM attachments.notes WHERE id = 'x' ") == .words(["RETURNING"]))
    }

    @Test func translateCurlOfAWriteIsARunnableCommandWithItsMethodAndBody() throws {
        let plan = try Planner().plan("INSERT INTO people.people (last_name) VALUES ('O''Brien')")
        #expect(Compiler.urls([plan], wire: false, curl: true) == [
            #"curl -sS -X POST -H "Authorization: Bearer $CASEBOOK_TOKEN" -H 'Accept: application/vnd.api+json' -H 'Content-Type: application/vnd.api+json' "#
                + #"--data-binary '{"data":{"type":"people","attributes":{"last_name":"O'\''Brien"}}}' 'https://api.casebook.net/people/people'"#,
        ])
        let read = try Planner().plan("DELETE FROM attachments.notes WHERE subject = 'x'")
        #expect(Compiler.urls([read], wire: false, curl: false) == ["https://api.casebook.net/attachments/notes?filter[subject]=x&page[size]=100"])
    }

    @Test func explainOfAWriteSendsNothing() async {
        let shell = ShellHarness()
        #expect(await shell.run("EXPLAIN UPDATE people.people SET city = 'x' WHERE last_name LIKE 'Doe'") == 0)
        #expect(shell.transport.sent.isEmpty)
        #expect(shell.output.hasPrefix("UPDATE of people.people: the rows this read finds, then one PATCH per row\n"))
        #expect(await shell.run("EXPLAIN ANALYZE DELETE FROM attachments.notes WHERE id = 'NTE-00001'") == SysExit.dataError)
        #expect(shell.transport.sent.isEmpty)
    }
}
