import Testing
@testable import CBQCore

/// INSERT, UPDATE and DELETE: parsed, planned, and their requests and bodies as exact strings.
struct WritePlanTests {
    private func plan(_ text: String, options: PlannerOptions = PlannerOptions()) throws -> WritePlan {
        guard case .write(let write) = try Planner(options).plan(text) else { throw NotAWrite() }
        return write
    }

    private func requests(_ text: String, options: PlannerOptions = PlannerOptions()) throws -> [String] {
        try #require(try plan(text, options: options).plannedRequests).map(\.description)
    }

    struct NotAWrite: Error {}

    @Test func insertPostsOneDocumentPerRowWithJSONTypesFromTheLiterals() throws {
        let sent = try requests("""
            INSERT INTO intake.reports (status, county, priority, score, urgent, closed_at)
            VALUES ('new', 'O''Brien County', 3, 1.50, TRUE, NULL), ('screened', 'Ada', -2, 1e3, false, NULL)
            """)
        #expect(sent == [
            "POST https://api.casebook.net/intake/reports\n"
                + #"  {"data":{"type":"reports","attributes":{"status":"new","county":"O'Brien County","priority":3,"score":1.50,"urgent":true,"closed_at":null}}}"#,
            "POST https://api.casebook.net/intake/reports\n"
                + #"  {"data":{"type":"reports","attributes":{"status":"screened","county":"Ada","priority":-2,"score":1e3,"urgent":false,"closed_at":null}}}"#,
        ])
    }

    /// Numbers go with their digits, made valid JSON only where cbq's spelling is not.
    @Test func numbersAreSentAsWrittenInJSONsGrammar() throws {
        let sent = try requests("INSERT INTO a.b (p, q, r, s, t, u) VALUES (007, .5, 1e400, 12345678901234567890, -0.25, 0.1234567890123456789)")
        #expect(sent == ["POST https://api.casebook.net/a/b\n"
            + #"  {"data":{"type":"b","attributes":{"p":7,"q":0.5,"r":1e400,"s":12345678901234567890,"t":-0.25,"u":0.1234567890123456789}}}"#])
        #expect(try requests("INSERT INTO a.b (id, n) VALUES (007, 1)").first?.contains(#""id":"007""#) == true)
    }

    @Test func anIDColumnIsTheResourcesIDNotAnAttribute() throws {
        let sent = try requests("INSERT INTO attachments.notes (id, subject) VALUES ('NOTE-X1', 'visit')")
        #expect(sent == ["POST https://api.casebook.net/attachments/notes\n" + #"  {"data":{"type":"notes","id":"NOTE-X1","attributes":{"subject":"visit"}}}"#])
    }

    @Test func valuesAreFoldedAtPlanTime() throws {
        var options = PlannerOptions()
        options.now = Instant("2026-12-01T09:30:00Z")!
        options.parameters = ["who": .string("Doe")]
        let sent = try requests("INSERT INTO people.people (last_name, first_name, created_at) VALUES (:who, upper('ada') || '!', now() - INTERVAL '1 day')",
                                options: options)
        #expect(sent == ["POST https://api.casebook.net/people/people\n"
            + #"  {"data":{"type":"people","attributes":{"last_name":"Doe","first_name":"ADA!","created_at":"2026-11-30T09:30:00Z"}}}"#])
    }

    @Test func updateByIDPatchesEachIDWithNothingReadFirst() throws {
        let write = try plan("UPDATE people.people SET city = 'Springfield', state = NULL WHERE id IN ('PER-1', 'PER 2')")
        #expect(write.read == nil)
        #expect(write.plannedRequests?.map(\.description) == [
            "PATCH https://api.casebook.net/people/people/PER-1\n"
                + #"  {"data":{"type":"people","id":"PER-1","attributes":{"city":"Springfield","state":null}}}"#,
            "PATCH https://api.casebook.net/people/people/PER%202\n"
                + #"  {"data":{"type":"people","id":"PER 2","attributes":{"city":"Springfield","state":null}}}"#,
        ])
    }

    @Test func deleteByIDSendsNoBody() throws {
        #expect(try requests("DELETE FROM attachments.notes WHERE id = 'NOTE-00003'") == ["DELETE https://api.casebook.net/attachments/notes/NOTE-00003"])
    }

    @Test func anyOtherWhereIsTheEquivalentSelectsRead() throws {
        let write = try plan("UPDATE people.people SET city = 'Springfield' WHERE last_name LIKE 'Doe' AND lower(city) = 'seattle'")
        let read = try #require(write.read)
        #expect(read.initialURLs() == ["https://api.casebook.net/people/people?filter[last_name][like]=Doe&page[size]=100"])
        #expect(read.local.map(\.text) == ["lower(city) = 'seattle'"])
        #expect(read.projection == .all)
        #expect(write.plannedRequests == nil)
        #expect(write.request(id: "PER-9", type: "person", values: [.text("Springfield")]).description
            == "PATCH https://api.casebook.net/people/people/PER-9\n" + #"  {"data":{"type":"person","id":"PER-9","attributes":{"city":"Springfield"}}}"#)
    }

    /// `SET x = x + 1` reads the row, even by id; so does DELETE … RETURNING (the rows as read).
    @Test func aSetThatReadsTheRowOrDeleteReturningReadsFirst() throws {
        let update = try plan("UPDATE services.service_offerings SET capacity_usage = capacity_usage + 1 WHERE id = 'OFF-1'")
        #expect(update.read?.target == .resources(["OFF-1"]))
        #expect(update.assignmentColumns == ["capacity_usage"])
        let evaluator = try AssignmentEvaluator(update)
        #expect(try evaluator.values([.integer(41)]).map(\.description) == ["42"])
        let delete = try plan("DELETE FROM attachments.notes WHERE id = 'NOTE-1' RETURNING subject")
        #expect(delete.read?.target == .resources(["NOTE-1"]))
    }

    @Test func theResourceTypeIsLearnedOrGivenElseTheEndpointsName() throws {
        #expect(try plan("INSERT INTO services.service_offerings (name) VALUES ('x')").resourceType == "service_offerings")
        #expect(try plan("INSERT INTO custom.widgets (name) VALUES ('x')").resourceType == "widgets")
        var options = PlannerOptions()
        options.resourceTypes = ["people.people": "person"]
        #expect(try plan("INSERT INTO people.people (last_name) VALUES ('x')", options: options).resourceType == "person")
    }

    @Test func qualifiedColumnsMayNameTheTableByItsAlias() throws {
        let write = try plan("UPDATE people.people AS p SET p.city = upper(p.city) WHERE p.state = 'WA'")
        #expect(write.assignments.map(\.column.name) == ["city"])
        #expect(write.assignmentColumns == ["city"])
        #expect(write.read?.pushed.map(\.text) == ["p.state = 'WA'"])
    }

    @Test func returningIsAProjectionOfTheEndpoint() throws {
        let write = try plan("INSERT INTO intake.reports (status) VALUES ('new') RETURNING id, status AS s")
        #expect(write.returning?.projection == .columns([.init(field: "id", name: "id"), .init(field: "status", name: "s")]))
        let star = try plan("DELETE FROM attachments.notes WHERE subject = 'x' RETURNING *")
        #expect(star.returning?.projection == .all)
    }

    /// SET's and RETURNING's columns join the read's: one no row has is an error after the
    /// first page, before anything is written.
    @Test func theReadChecksTheColumnsSetAndReturningRead() throws {
        let write = try plan("UPDATE people.people SET city = upper(cty) WHERE state = 'WA' RETURNING emial")
        #expect(try #require(write.read).readColumns.map(\.name) == ["state", "cty", "emial"])
    }

    @Test func explainShowsTheReadThenTheWritePerRow() throws {
        let text = try plan("UPDATE people.people SET city = upper(city), state = 'WA' WHERE last_name LIKE 'Doe'").explanation()
        #expect(text == """
            UPDATE of people.people: the rows this read finds, then one PATCH per row

            GET https://api.casebook.net/people/people?filter[last_name][like]=Doe&page[size]=100
              then page=2, page=3, … (or the server's links.next) until no page is left

              sent to the API  last_name LIKE 'Doe'    filter[last_name][like]=Doe
              page size        100
              columns          id and every attribute

            then, for each row read (in the order read):
              PATCH https://api.casebook.net/people/people/{id}
                {"data":{"type":"people","id":"{id}","attributes":{"city":«upper(city)»,"state":"WA"}}}

            --dry-run shows every request without sending it.
            """)
        let delete = try plan("DELETE FROM attachments.notes WHERE id = 'NOTE-1'").explanation()
        #expect(delete == """
            DELETE from attachments.notes: 1 DELETE request, by id; nothing is read first
            DELETE https://api.casebook.net/attachments/notes/NOTE-1

            A DELETE cannot be undone: --dry-run shows every request without sending it.
            """)
    }

    @Test func translatePrintsTheFirstRequestOfEachKind() throws {
        #expect(try Planner().plan("INSERT INTO intake.reports (status) VALUES ('new')").initialURLs() == ["https://api.casebook.net/intake/reports"])
        #expect(try Planner().plan("DELETE FROM attachments.notes WHERE subject = 'x'").initialURLs()
            == ["https://api.casebook.net/attachments/notes?filter[subject]=x&page[size]=100"])
    }

    @Test(arguments: [
        ("1️⃣UPDATE people.people SET city = 'x'", "UPDATE without WHERE would change every row of people.people",
         "add WHERE to choose the rows (WHERE id = '…'); write WHERE true to change every row on purpose"),
        ("1️⃣DELETE FROM attachments.notes", "DELETE without WHERE would delete every row of attachments.notes",
         "add WHERE to choose the rows (WHERE id = '…'); write WHERE true to delete every row on purpose"),
        ("1️⃣DELETE FROM attachments.notes RETURNING *", "DELETE without WHERE would delete every row of attachments.notes", nil),
        ("INSERT INTO intake.reports 1️⃣VALUES ('new')", "INSERT needs the columns it sets",
         "name them before VALUES: INSERT INTO intake.reports (first_name, last_name) VALUES ('Ada', 'Doe')"),
        ("INSERT INTO intake.reports (status) 1️⃣SELECT status FROM intake.reports", "INSERT … SELECT is not supported",
         "write the rows with VALUES (…), (…); a script can hold many INSERT statements"),
        ("INSERT INTO intake.reports (status, county) VALUES 1️⃣('new')", "this row has 1 value for 2 columns",
         "give one value per column, in the column list's order"),
        ("INSERT INTO intake.reports (status, 1️⃣status) VALUES ('a', 'b')", "column 'status' is set twice", "set each column once"),
        ("UPDATE people.people SET 1️⃣id = 'x' WHERE id = 'y'", "'id' names the resource and cannot be changed",
         "choose rows by id in WHERE; to change an id, INSERT a new resource and DELETE the old one"),
        ("INSERT INTO people.people (1️⃣type) VALUES ('x')", "'type' is the resource type, not a column",
         "cbq sends the endpoint's type; name another with --resource-type service.endpoint=TYPE"),
        ("UPDATE people.people SET city 1️⃣'x' WHERE id = 'y'", "expected '=' after 'city', found the string 'x'", "SET column = value, column = value"),
        ("UPDATE people.people 1️⃣city = 'x' WHERE id = 'y'", "expected 'SET' after 'people.people', found 'city'", nil),
        ("INSERT 1️⃣people.people (a) VALUES (1)", "expected 'INTO' after 'INSERT', found 'people'", nil),
        ("UPDATE people.people SET city = 'x' WHERE id = 'y' 1️⃣RETURNIN *", "expected 'AND', 'OR', 'RETURNING' or ';' after 'y', found 'RETURNIN'",
         "did you mean 'RETURNING'?"),
        ("1️⃣UPDAT people.people SET a = 1 WHERE true", "expected 'SELECT', 'INSERT', 'UPDATE', 'DELETE' or 'EXPLAIN' after the start of a statement, found 'UPDAT'",
         "did you mean 'UPDATE'?"),
        ("INSERT INTO people.people (last_name) VALUES (1️⃣first_name)", "VALUES cannot read column 'first_name'",
         "write a value: a string, number, TRUE, FALSE, NULL, :parameter or an expression of them"),
        ("UPDATE people.people SET city = 1️⃣max(city) WHERE true", "an aggregate cannot stand in SET", "compute it with a SELECT first, then write its result"),
        ("DELETE FROM people.people WHERE 1️⃣id IN (SELECT person_id FROM cases.cases)", "a subquery in DELETE's WHERE is not supported",
         "run the SELECT first, then DELETE … WHERE id IN ('…', '…')"),
        ("UPDATE people.people SET city = 'x' WHERE city = 'y' RETURNING 1️⃣count(*)", "an aggregate cannot stand in RETURNING", nil),
        ("UPDATE people.people SET 1️⃣q.city = 'x' WHERE true", "no table named 'q' here", "this statement writes people.people only"),
        ("UPDATE people.people SET city = 'x' WHERE 1️⃣city = NULL", "comparing with NULL is never true", "write city IS NULL"),
        ("INSERT INTO people.people (last_name) VALUES (1️⃣:who)", "no value for parameter ':who'", nil),
        ("INSERT INTO people.people (created_at) VALUES (1️⃣INTERVAL '1 day')", "the value for 'created_at' is not a string, number, boolean or NULL", nil),
        ("1️⃣EXPLAIN ANALYZE DELETE FROM attachments.notes WHERE id = 'x'", "EXPLAIN ANALYZE would run the DELETE", nil),
    ])
    func errors(text: String, message: String, hint: String?) throws {
        let (source, offset) = marked(text)
        let failure: Diagnostic
        do {
            _ = try Planner().plan(source)
            Issue.record("\(source) must fail")
            return
        } catch {
            failure = error
        }
        let error = failure
        #expect(error.message == message)
        #expect(error.range.start == offset, "\(source): at \(error.range.start), not \(offset)")
        if let hint { #expect(error.hint == hint) }
        #expect(!error.isIncomplete, "a refusal is not a request for more input")
    }

    /// The words of writes are keywords only where they stand: columns may still be named so.
    @Test func writeWordsStayNamesElsewhere() throws {
        let plan = try Planner().planSelect("SELECT set, values, returning, update FROM a.b WHERE delete = 1")
        #expect(plan.readColumns.map(\.name) == ["set", "values", "returning", "update", "delete"])
        #expect(try self.plan("UPDATE a.b SET set = values + 1 WHERE insert = 2").assignments.map(\.column.name) == ["set"])
    }
}
