import CBQCore
import Testing
@testable import CBQRuntime

/// A page's UTF-8 is checked in its strings as the scanner reads them (outside strings JSON
/// allows only ASCII). The indexer agrees with the standard library on every string, names
/// included, and points at the first byte that is not UTF-8.
struct UTF8ValidationTests {
    /// The offset of the first byte of the first sequence that is not UTF-8, as the standard
    /// library sees it; nil when all of `bytes` is.
    static func reference(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index < bytes.count {
            let length = (1...4).first { String(validating: bytes[index..<min(bytes.count, index + $0)], as: UTF8.self) != nil }
            guard let length else { return index }
            index += length
        }
        return nil
    }

    static let pieces: [[UInt8]] = [Array("abcdefgh".utf8), Array("é".utf8), Array("李".utf8), Array("👍".utf8), [0xC0, 0x80], [0xED, 0xA0, 0x80],
                                    [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80], [0xFF], [0xC3], Array(String(repeating: "x", count: 31).utf8)]

    /// Random text in a value and in a name, at every alignment the 8-byte steps meet.
    @Test(arguments: [false, true])
    func agreesWithTheStandardLibrary(inName: Bool) {
        var random = SeededGenerator(seed: inName ? 33 : 32)
        for _ in 0..<3_000 {
            var text: [UInt8] = []
            for _ in 0..<random.int(0...12) { text += random.pick(Self.pieces) }
            let before = Array(#"{"data":[{"id":"1","attributes":{"#.utf8) + Array(repeating: UInt8(ascii: " "), count: random.int(0...7))
            let member: [UInt8] = inName ? [UInt8(ascii: "\"")] + text + Array(#"":1"#.utf8) : Array(#""a":""#.utf8) + text + [UInt8(ascii: "\"")]
            let page = before + member + Array("}}]}".utf8)
            let textStart = before.count + (inName ? 1 : 5)
            do {
                let document = try PageIndexer.index(page)
                #expect(Self.reference(text) == nil, "accepted \(text)")
                if !inName { #expect(document.rows.first?.sqlValue("a").description == String(decoding: text, as: UTF8.self)) }
            } catch {
                let expected = Self.reference(text).map { $0 + textStart }
                #expect(error.offset == expected && error.message == "invalid UTF-8", "\(text): \(error)")
            }
        }
    }

    /// Outside strings, a byte beyond ASCII is not JSON, valid UTF-8 or not.
    @Test(arguments: [Array("é".utf8), [0xFF]])
    func aByteBeyondASCIIOutsideAStringIsAnError(bytes: [UInt8]) {
        let page = Array(#"{"data":[{"id":"1","attributes":{"a":1"#.utf8) + bytes + Array("}}]}".utf8)
        #expect(throws: JSONParser.Error.self) { try PageIndexer.index(page) }
    }

    /// The 8-byte step stops at the first quote, backslash, control character or byte beyond
    /// ASCII, and at no byte before it; it reads the word little-endian.
    @Test func theEightByteStepFindsTheFirstByteThatEndsPlainText() {
        let bytes: [UInt8] = [0x00, 0x01, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x2F, 0x5B, 0x5C, 0x5D, 0x7E, 0x7F, 0x80, 0xA2, 0xDC, 0xFF, 0x61]
        var random = SeededGenerator(seed: 8)
        for _ in 0..<20_000 {
            // Mostly plain text, so the first special byte falls at every position.
            let word = (0..<8).map { _ in random.int(0...3) == 0 ? random.pick(bytes) : UInt8(ascii: "m") }
            let expected = word.firstIndex { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 >= 0x80 } ?? 8
            let value = word.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            let special = JSONScanner.specialBytes(value)
            #expect((special == 0 ? 8 : special.trailingZeroBitCount >> 3) == expected, "\(word)")
        }
    }
}
