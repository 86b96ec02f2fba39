import CBQCore
import CBQSandbox
import Testing
@testable import CBQRuntime

/// The page indexer and the JSON parser read every document the same way: what the indexer
/// accepts, the parser accepts; lone surrogates and repeated member names are errors in both.
struct JSONAgreementTests {
    static func page(_ data: String) -> [UInt8] { Array(#"{"data":[\#(data)],"meta":{"total":1}}"#.utf8) }

    @Test(arguments: [
        #"{"type":"people","id":"P-1","attributes":{"last_name":"\uDADA"}}"#,            // lone high surrogate
        #"{"type":"people","id":"P-1","attributes":{"last_name":"\uDC00x"}}"#,           // lone low surrogate
        #"{"type":"people","id":"\uD800\u0041","attributes":{}}"#,                       // high, then not a low
        #"{"type":"people","id":"P-1","attributes":{"a":1,"a":2}}"#,                      // a repeated attribute
        #"{"type":"people","id":"P-1","attributes":{"a":1,"\u0061":2}}"#,                 // the same name, escaped
        #"{"type":"people","id":"P-1","id":"P-2","attributes":{}}"#,                      // a repeated id
        #"{"type":"people","id":"P-1","attributes":{"x":{"k":1,"k":2}}}"#,                // nested, repeated
    ])
    func invalidInBothReaders(resource: String) {
        let bytes = Self.page(resource)
        #expect(throws: JSONParser.Error.self) { _ = try JSONParser.parse(bytes) }
        #expect(throws: JSONParser.Error.self) { _ = try PageIndexer.index(bytes) }
    }

    @Test func aRepeatedTopLevelMemberIsAnError() {
        let bytes = Array(#"{"data":[],"data":{"type":"people","id":"P-1"}}"#.utf8)
        #expect(throws: JSONParser.Error.self) { _ = try JSONParser.parse(bytes) }
        #expect(throws: JSONParser.Error.self) { _ = try PageIndexer.index(bytes) }
    }

    @Test func aValidSurrogatePairIsRead() throws {
        let bytes = Self.page(#"{"type":"people","id":"P-1","attributes":{"last_name":"\uD83D\uDC4D ok"}}"#)
        let row = try #require(try PageIndexer.index(bytes).rows.first)
        #expect(row.sqlValue("last_name").description == "👍 ok")
        #expect(try JSONParser.parse(bytes)["data"] != nil)
    }

    /// Mutated sandbox pages: whatever the indexer accepts, the parser accepts too, and every
    /// value of every accepted row decodes (no silent NULL).
    @Test func theIndexerNeverAcceptsWhatTheParserRejects() throws {
        let api = SandboxAPI()
        let original = api.handle(SandboxRequest(target: "/people/people?page[size]=5")).body
        var random = SeededGenerator(seed: 15)
        let pieces: [[UInt8]] = ["\"", "\\", "\\u", "\\uD800", "\\uDC00", "{", "}", "[", "]", ",", ":", "\"a\":1,", "null", "1e999",
                                 "\u{0}", "\u{1F}", "\"id\":\"x\",", "\"data\":[],"].map { Array($0.utf8) }
        var accepted = 0
        for _ in 0..<4_000 {
            var bytes = original
            for _ in 0..<random.int(1...3) {
                let at = random.int(0...bytes.count - 1)
                switch random.int(0...2) {
                case 0: bytes.insert(contentsOf: random.pick(pieces), at: at)
                case 1: bytes.remove(at: at)
                default: bytes[at] = random.pick(pieces).first ?? 0
                }
            }
            guard let document = try? PageIndexer.index(bytes) else { continue }
            accepted += 1
            #expect((try? JSONParser.parse(bytes)) != nil, "\(String(decoding: bytes, as: UTF8.self))")
            for row in document.rows {
                for member in row.attributes {
                    #expect((try? JSONParser.parse(row.page.bytes, range: member.value)) != nil)
                }
            }
        }
        #expect(accepted > 100)
    }
}

/// `SELECT *` as NDJSON copies a row's members in one piece only when the server wrote them
/// with nothing between; any other page is written member by member, to the same text.
struct AllColumnsRenderingTests {
    static func ndjson(_ body: String) throws -> String {
        let document = try PageIndexer.index(Array(body.utf8))
        let sink = MemorySink()
        let output = OutputStream(sink)
        let renderer = Renderers.make(.ndjson, output: output, terminalWidth: nil, allColumns: true)
        renderer.begin([])
        for row in document.rows { renderer.write(.raw(row)) }
        renderer.finish(rowCount: document.rows.count)
        output.flush()
        return sink.text
    }

    @Test func membersAreWrittenAsTheServerSpeltThemWhateverItsSpacing() throws {
        let compact = #"{"data":[{"type":"p","id":"1","attributes":{"a":1,"b":"x,\"y\":2","c":{"d":[1,2]},"e":null}}]}"#
        let spaced = "{\"data\":[{\"type\":\"p\",\"id\":\"1\",\"attributes\":{ \"a\" : 1,\n  \"b\":\"x,\\\"y\\\":2\" ,\"c\":{\"d\":[1,2]},\"e\":null }}]}"
        let expected = #"{"id":"1","a":1,"b":"x,\"y\":2","c":{"d":[1,2]},"e":null}"# + "\n"
        #expect(try Self.ndjson(compact) == expected)
        #expect(try Self.ndjson(spaced) == expected)
        // An attribute named id (escaped or not) is left out: the row has one id.
        let withID = #"{"data":[{"type":"p","id":"1","attributes":{"a":1,"\u0069d":"2","b":2}}]}"#
        #expect(try Self.ndjson(withID) == #"{"id":"1","a":1,"b":2}"# + "\n")
        // The fuzzer's find: relationships are members too, after the attributes, and their
        // values are not beside their names. Spaced, the same page goes member by member.
        let related = #"{"data":[{"type":"cases","id":"C-1","attributes":{"status":"open","n":1},"relationships":{"person":{"data":{"type":"people","id":"PER-1"}},"notes":{"data":[{"type":"notes","id":"N-1"}]}}},"#
            + #"{"type":"cases","id":"C-2","relationships":{"person":{"data":{"id":"PER-2","type":"people"}}},"attributes":{"status":"closed","n":2}}]}"#
        let relatedSpaced = related.replacing(#""n":"#, with: #""n" : "#)
        #expect(try Self.ndjson(related) == Self.ndjson(relatedSpaced))
        #expect(try Self.ndjson(related).hasPrefix(#"{"id":"C-1","status":"open","n":1,"person":"PER-1","notes":"#))
        let empty = #"{"data":[{"type":"p","id":"1","attributes":{}}]}"#
        #expect(try Self.ndjson(empty) == #"{"id":"1"}"# + "\n")
    }

    /// A batch of rows from several pages, interleaved, is written as row by row would write it,
    /// in NDJSON and in JSON (whose separators the batch writes too).
    @Test(arguments: [OutputFormat.ndjson, .json])
    func aBatchIsWrittenAsRowByRow(format: OutputFormat) throws {
        let first = try PageIndexer.index(Array(#"{"data":[{"id":"1","attributes":{"a":1}},{"id":"2","attributes":{"a":2}}]}"#.utf8))
        let second = try PageIndexer.index(Array(#"{"data":[{"id":"3","attributes":{ "b" : "x" }},{"id":"4","attributes":{"b":"y"}}]}"#.utf8))
        let rows = [first.rows[0], second.rows[0], second.rows[1], first.rows[1]]
        func render(_ write: (any ResultRenderer) -> Void) -> String {
            let sink = MemorySink()
            let output = OutputStream(sink)
            let renderer = Renderers.make(format, output: output, terminalWidth: nil, allColumns: true)
            renderer.begin([])
            write(renderer)
            renderer.finish(rowCount: rows.count)
            output.flush()
            return sink.text
        }
        let batched = render { $0.write(raw: Array(rows[..<1])); $0.write(raw: Array(rows[1...])) }
        #expect(batched == render { renderer in for row in rows { renderer.write(.raw(row)) } })
        #expect(batched.contains(#"{"id":"3","b":"x"}"#))
    }
}
