import Testing
@testable import CBQCore

struct JSONTests {
    @Test func parsesEveryKindAndKeepsMemberOrder() throws {
        let value = try JSONParser.parse(#" {"b": [1, -2.5, 3e2, true, false, null], "a": {"x": "y"}, "": ""} "#)
        #expect(value == .object([
            JSONMember("b", .array([1, -2.5, 300, true, false, nil])),
            JSONMember("a", .object([JSONMember("x", "y")])),
            JSONMember("", ""),
        ]))
    }

    @Test(arguments: [
        (#""a\"b\\c\/d\n\t\r\b\f""#, "a\"b\\c/d\n\t\r\u{8}\u{C}"),
        (#""\u00e9\u5c71""#, "é山"),
        (#""\ud83d\udc4d""#, "👍"),
        (#""Zoë 山田""#, "Zoë 山田"),
    ])
    func strings(json: String, text: String) throws {
        #expect(try JSONParser.parse(json) == .string(text))
    }

    @Test(arguments: ["", " ", "{", "[1,]", "{\"a\":}", "{\"a\" 1}", "[1 2]", "01", "-", "1.", "1e", ".5", "+1",
                      "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud83d\"", "\"\\udc4d\"", "\"a\u{1}b\"",
                      "[1]]", "{} {}", "NaN", "'a'", "{\"a\":1,}", "[\"\u{0}\"]"])
    func malformedInputIsAnError(json: String) {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(json) }
    }

    @Test func invalidUTF8IsAnError() {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(String(repeating: "[", count: 100_000)) }
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(String(repeating: "{\"a\":", count: 100_000)) }
    }

    @Test func writerRoundTrips() throws {
        let value: JSONValue = .object([
            JSONMember("s", "line\nbreak \"quoted\" \\ tab\t ctrl\u{1} Zoë 山田"), JSONMember("n", 42), JSONMember("f", 1.5),
            JSONMember("neg", -7), JSONMember("big", 1e20), JSONMember("b", true), JSONMember("z", nil), JSONMember("a", .array([])),
        ])
        let text = JSONWriter.serialize(value)
        #expect(text == #"{"s":"line\nbreak \"quoted\" \\ tab\t ctrl\u0001 Zoë 山田","n":42,"f":1.5,"neg":-7,"big":1e+20,"b":true,"z":null,"a":[]}"#)
        #expect(try JSONParser.parse(text) == value)
    }

    @Test func nonFiniteNumbersAreWrittenAsNull() {
        #expect(JSONWriter.serialize(.array([.number(.nan), .number(.infinity)])) == "[null,null]")
    }

    @Test func randomMutationsNeverCrash() {
        var generator = SeededGenerator(seed: 7)
        let seed = Array(#"{"data":[{"type":"people","id":"P-1","attributes":{"name":"Zoë \"Z\"","n":-1.5e3,"ok":true,"x":null}}],"meta":{"total":1}}"#.utf8)
        let pieces: [UInt8] = Array(#"{}[]",:\u0123456789-+.eEtrufalsn "#.utf8) + [0, 0xC3, 0xFF, 0x0A]
        var parsed = 0
        for _ in 0..<20_000 {
            var bytes = seed
            for _ in 0...Int.random(in: 0...3, using: &generator) {
                let position = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes.remove(at: position)
                case 1: bytes.insert(pieces.randomElement(using: &generator)!, at: position)
                default: bytes[position] = pieces.randomElement(using: &generator)!
                }
                if bytes.isEmpty { bytes = [0x30] }
            }
            if let value = try? JSONParser.parse(bytes) {
                parsed += 1
                // Whatever parses must survive a write and a re-parse unchanged.
                #expect((try? JSONParser.parse(JSONWriter.serialize(value))) == value)
            }
        }
        #expect(parsed > 500)
    }
}
