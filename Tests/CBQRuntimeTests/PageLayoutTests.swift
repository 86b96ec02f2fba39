import CBQCore
import Testing
@testable import CBQRuntime

/// A page keeps its rows' members in one table and each member name once: rows that share a
/// page share names, and a row read again (a sort's) reads its own page's names, never
/// another's.
struct PageLayoutTests {
    static func index(_ json: String) throws -> IndexedDocument { try PageIndexer.index(Array(json.utf8)) }

    @Test func rowsWithDifferentNamesKeepTheirOwn() throws {
        let page = try Self.index(#"{"data":[{"id":"1","attributes":{"a":1,"b":2}},{"id":"2","attributes":{"b":3,"c":4}},"#
                                  + #"{"id":"3","attributes":{"a":5,"b":6,"c":7}}]}"#)
        #expect(page.rows.map(\.columnNames) == [["id", "a", "b"], ["id", "b", "c"], ["id", "a", "b", "c"]])
        #expect(page.rows.map { $0.sqlValue("b").description } == ["2", "3", "6"])
        #expect(page.rows[1].raw("a") == nil)
        #expect(page.rows[1].sqlValue("c").description == "4")
        // One name, one entry: the table has a, b and c once each.
        #expect(page.rows[0].page.names.names == ["a", "b", "c"])
    }

    @Test func anEscapedNameIsTheSameName() throws {
        let page = try Self.index(#"{"data":[{"id":"1","attributes":{"city":"x"}},{"id":"2","attributes":{"\u0063ity":"y"}}]}"#)
        #expect(page.rows.map { $0.sqlValue("city").description } == ["x", "y"])
        #expect(throws: JSONParser.Error.self) {
            _ = try Self.index(#"{"data":[{"id":"1","attributes":{"\u0070erson":"x"},"relationships":{"person":{"data":null}}}]}"#)
        }
    }

    /// Two pages laid out alike, byte for byte, but for one name: a row of the second read
    /// again "like" a row of the first must not take the first's name, though the first's
    /// name's offsets hold a name of the same length in the second page.
    @Test func aRowReadAgainLikeAnotherPagesRowKeepsItsNames() throws {
        let first = try Self.index(#"{"data":[{"id":"1","attributes":{"bbbb":1}},{"id":"2","attributes":{"city":"x"}}]}"#)
        let second = try Self.index(#"{"data":[{"id":"1","attributes":{"note":1}},{"id":"2","attributes":{"note":"x"}}]}"#)
        let row = second.rows[1]
        let again = try #require(PageIndexer.resource(in: row.page, at: row.span, like: first.rows[1]))
        #expect(again.columnNames == ["id", "note"])
        #expect(again.sqlValue("note").description == "x")
    }

    /// Read again like a row of its own page, a row whose names differ from it still gets its
    /// own; and the page it came from is not written.
    @Test func aRowReadAgainLikeItsNeighbour() throws {
        let page = try Self.index(#"{"data":[{"id":"1","attributes":{"a":1,"b":2}},{"id":"2","attributes":{"a":3,"c":4}}]}"#)
        let members = page.rows[0].page.members.count
        let first = try #require(PageIndexer.resource(in: page.rows[0].page, at: page.rows[0].span))
        let second = try #require(PageIndexer.resource(in: page.rows[1].page, at: page.rows[1].span, like: first))
        #expect(first.columnNames == ["id", "a", "b"])
        #expect(second.columnNames == ["id", "a", "c"])
        #expect(second.sqlValue("c").description == "4")
        #expect(page.rows[0].page.members.count == members)
    }

    @Test func relationshipsFollowTheAttributes() throws {
        let page = try Self.index(#"{"data":[{"id":"1","attributes":{"a":1},"relationships":{"owner":{"data":{"type":"people","id":"P-1"}}}},"#
                                  + #"{"id":"2","attributes":{"a":2}}]}"#)
        #expect(page.rows[0].relationships.map(\.key) == ["owner"])
        #expect(page.rows[0].relationships.allSatisfy { $0.isRelationship })
        #expect(page.rows[1].relationships.isEmpty)
        #expect(page.rows[0].attributes.map(\.key) == ["a", "owner"])
        #expect(page.rows[0].sqlValue("owner").description == "P-1")
    }
}
