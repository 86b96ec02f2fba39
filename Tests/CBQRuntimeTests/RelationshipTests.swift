import CBQCore
import Testing
@testable import CBQRuntime

/// JSON:API `relationships` as columns, and a compound document's `included`.
struct RelationshipTests {
    static let document = #"""
        {"data":[
          {"type":"cases","id":"C-1","attributes":{"status":"open"},
           "relationships":{"person":{"data":{"type":"people","id":"PER-1"},"links":{"related":"/cases/C-1/person"}},
                            "notes":{"data":[{"type":"notes","id":"N-1"},{"type":"notes","id":7}]},
                            "owner":{"data":null},
                            "documents":{"links":{"related":"/cases/C-1/documents"}}}},
          {"type":"cases","id":"C-2","relationships":{"person":{"data":{"id":"PER-2","type":"people"}},"notes":{"data":[]}},
           "attributes":{"status":"closed"}}
        ],
        "included":[{"type":"people","id":"PER-1","attributes":{"last_name":"Doe"}}]}
        """#

    @Test func aRelationshipIsAColumnAfterTheAttributes() throws {
        let page = try PageIndexer.index(Array(Self.document.utf8))
        let first = page.rows[0], second = page.rows[1]
        #expect(first.columnNames == ["id", "status", "person", "notes", "owner", "documents"])
        #expect(second.columnNames == ["id", "status", "person", "notes"])
        #expect(first.sqlValue("person").text == "PER-1")
        #expect(second.sqlValue("person").text == "PER-2")
        // A to-many is the array of its ids, as the page wrote them; data null is NULL, and so
        // is a relationship with links only.
        #expect(first.sqlValue("notes").nestedText == #"["N-1",7]"#)
        #expect(second.sqlValue("notes").nestedText == "[]")
        #expect(first.sqlValue("owner").isNull)
        #expect(first.raw("documents").map { String(decoding: first.page.bytes[$0], as: UTF8.self) } == "null")
        #expect(page.included.map(\.idText) == ["PER-1"])
        #expect(page.included[0].sqlValue("last_name").text == "Doe")
    }

    @Test func anEmptyArrayOfRelationshipsAndANullRelationshipAreTaken() throws {
        let page = try PageIndexer.index(Array(#"{"data":[{"id":"1","relationships":[]},{"id":"2","relationships":{"person":null}}]}"#.utf8))
        #expect(page.rows[0].columnNames == ["id"])
        #expect(page.rows[1].columnNames == ["id", "person"])
        #expect(page.rows[1].sqlValue("person").isNull)
    }

    @Test func aHeldRowIndexedAgainKeepsItsMadeValues() throws {
        let page = try PageIndexer.index(Array(Self.document.utf8))
        let bytes = page.rows[0].page.bytes.count
        let again = try #require(PageIndexer.resource(in: page.rows[0].page, at: page.rows[0].span))
        #expect(again.sqlValue("notes").nestedText == #"["N-1",7]"#)
        #expect(again.sqlValue("documents").isNull)
        #expect(page.rows[0].page.bytes.count == bytes)  // found, not appended again
    }

    @Test(arguments: [
        (#"{"data":[{"id":"1","attributes":{"person":"x"},"relationships":{"person":{"data":null}}}]}"#, "'person' is both an attribute (or id) and a relationship"),
        (#"{"data":[{"id":"1","relationships":{"person":{"data":{"type":"people"}}}}]}"#, "a resource identifier without an id"),
        (#"{"data":[{"id":"1","relationships":{"person":{"data":"PER-1"}}}]}"#, "a relationship's 'data' must be an object, an array or null"),
        (#"{"data":[{"id":"1","relationships":{"person":{"data":{"id":true}}}}]}"#, "a resource id must be a string"),
        (#"{"data":[{"id":"1","relationships":[1]}]}"#, "'relationships' must be an object"),
        (#"{"data":[{"id":"1","relationships":{"person":"PER-1"}}]}"#, "a relationship must be an object"),
        (#"{"data":[{"id":"1","relationships":{"person":{"data":null},"person":{"data":null}}}]}"#, "occurs twice"),
        (#"{"data":[],"included":{}}"#, "'included' must be an array"),
    ])
    func malformedRelationshipsAreErrors(document: String, message: String) {
        #expect(throws: JSONParser.Error.self) { try PageIndexer.index(Array(document.utf8)) }
        do {
            _ = try PageIndexer.index(Array(document.utf8))
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
        }
    }
}

extension SQLValue {
    /// A nested value's JSON text; nil for any other kind.
    var nestedText: String? {
        if case .nested(let text) = self { return text }
        return nil
    }
}

/// The check of pushed filters on relationships: rows whose relationship holds one id are
/// judged; links-only, absent and to-many ones say nothing.
struct RelationshipFilterCheckTests {
    func run(_ body: String) async throws -> [String] {
        // One page: later pages are past the end.
        let transport = ScriptedTransport { url in
            HTTPReply(status: 200, body: Array(((url.query ?? "").contains("page=") ? #"{"data":[]}"# : body).utf8))
        }
        var options = PlannerOptions()
        options.baseURL = "https://api.test"
        let plan = try Planner(options).planSelect("SELECT * FROM a.b WHERE person = 'P-1'")
        let sender = RequestSender(transport: transport, origin: "https://api.test:443", credentials: FixedToken("t"), retry: fastOptions().retry)
        let pager = Pager(plan: plan, fetcher: PageFetcher(sender: sender, filter: try LocalFilter(plan.localFilter)),
                          maxPages: 10, concurrency: 1, progress: { _ in })
        var ids: [String] = []
        _ = try await pager.run { rows in ids += rows.map(\.idText) }
        return ids
    }

    static func row(_ id: String, _ relationship: String) -> String {
        #"{"type":"b","id":"\#(id)","attributes":{"n":1},"relationships":{\#(relationship)}}"#
    }

    @Test func rowsThatHoldAnIDAreJudgedWhereverTheyAre() async throws {
        // The first row says nothing (no person); the second shows the filter was not applied.
        let body = #"{"data":["# + Self.row("1", "") + "," + Self.row("2", #""person":{"data":{"type":"p","id":"P-2"}}"#) + "]}"
        do {
            let ids = try await run(body)
            Issue.record("the ignored filter passed rows \(ids)")
        } catch let error as Diagnostic {
            #expect(error.message == "the API did not apply filter[person]=P-1: it returned rows where person = 'P-1' is not true")
        }
    }

    @Test func linksOnlyAndToManyRelationshipsSayNothing() async throws {
        let body = #"{"data":["# + Self.row("1", #""person":{"links":{"related":"/x"}}"#) + ","
            + Self.row("2", #""person":{"data":[{"type":"p","id":"P-2"}]}"#) + ","
            + Self.row("3", #""person":{"data":{"type":"p","id":"P-1"}}"#) + "]}"
        #expect(try await run(body) == ["1", "2", "3"])
    }
}
