#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CBQCore

/// A validating JSON tokenizer that skips values instead of building them. It reads through an
/// unsafe buffer (valid only inside `withUnsafeBufferPointer`): no bounds checks in the hot loops,
/// which are guarded by explicit `position < count` tests instead.
struct JSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    private var depth = 0
    /// The member names of the objects being read, outermost first (see ``rawMembers(_:)``).
    private var openKeys: [(range: Range<Int>, escaped: Bool)] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func byte(at index: Int) -> UInt8 { bytes[index] }

    /// Whether two ranges hold the same bytes.
    @inline(__always)
    func sameBytes(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        guard a.count == b.count else { return false }
        return Self.same(bytes.baseAddress! + a.lowerBound, bytes.baseAddress! + b.lowerBound, a.count)
    }

    /// Whether a range holds exactly `text`'s bytes.
    @inline(__always)
    func sameBytes(_ range: Range<Int>, _ text: StaticString) -> Bool {
        range.count == text.utf8CodeUnitCount && Self.same(bytes.baseAddress! + range.lowerBound, text.utf8Start, range.count)
    }

    /// Member names are short: up to 16 bytes are compared as two overlapping words, not by a
    /// call to memcmp.
    @inline(__always)
    private static func same(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        switch count {
        case 8...16:
            let tail = count - 8
            return UnsafeRawPointer(a).loadUnaligned(as: UInt64.self) == UnsafeRawPointer(b).loadUnaligned(as: UInt64.self)
                && UnsafeRawPointer(a + tail).loadUnaligned(as: UInt64.self) == UnsafeRawPointer(b + tail).loadUnaligned(as: UInt64.self)
        case 4..<8:
            let tail = count - 4
            return UnsafeRawPointer(a).loadUnaligned(as: UInt32.self) == UnsafeRawPointer(b).loadUnaligned(as: UInt32.self)
                && UnsafeRawPointer(a + tail).loadUnaligned(as: UInt32.self) == UnsafeRawPointer(b + tail).loadUnaligned(as: UInt32.self)
        default:
            return memcmp(a, b, count) == 0
        }
    }

    var atEnd: Bool { position >= bytes.count }

    func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func advance() { position += 1 }

    func error(_ message: String) -> JSONParser.Error { JSONParser.Error(message: message, offset: position) }

    func isNull(_ range: Range<Int>) -> Bool {
        range.count == 4 && bytes[range.lowerBound] == UInt8(ascii: "n")
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    mutating func expect(_ byte: UInt8, _ message: String) throws(JSONParser.Error) {
        guard peek() == byte else { throw error(message) }
        position += 1
    }

    /// Calls `body` for each member of an object whose `{` was just consumed, with the scanner
    /// at the member's value; `body` must consume the value.
    mutating func members(_ body: (inout JSONScanner, String) throws(JSONParser.Error) -> Void) throws(JSONParser.Error) {
        try rawMembers { (scanner, keyRange) throws(JSONParser.Error) in
            try body(&scanner, scanner.decodeKey(keyRange))
        }
    }

    /// As ``members(_:)``, with the member name's byte range (quotes included) instead of its text.
    ///
    /// A name that occurs twice in one object is an error, as it is for ``JSONParser``: RFC 8259
    /// leaves duplicates to the reader, and two readers of one page must not read it two ways.
    ///
    /// - Parameter checkingNames: false when the caller checks repeats itself (the indexer,
    ///   whose rows almost always repeat the previous row's names, which it compares anyway).
    mutating func rawMembers(checkingNames: Bool = true,
                             _ body: (inout JSONScanner, Range<Int>) throws(JSONParser.Error) -> Void) throws(JSONParser.Error) {
        try enter()
        defer { depth -= 1 }
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { position += 1; return }
        let base = openKeys.count
        var manyKeys: Set<String>?
        defer { if openKeys.count > base { openKeys.removeSubrange(base...) } }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let key = try skipString()
            if checkingNames { try noteKey(key, base: base, many: &manyKeys) }
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "expected ':'")
            skipWhitespace()
            try body(&self, key)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return
            default: throw error("expected ',' or '}'")
            }
        }
    }

    /// Records a member name of the object whose names start at `openKeys[base]`; a repeat
    /// is an error. Few names are compared in place; past 32, by a set of decoded names.
    mutating func noteKey(_ key: Range<Int>, base: Int, many: inout Set<String>?) throws(JSONParser.Error) {
        if many != nil {
            guard many!.insert(decodeKey(key)).inserted else { throw duplicate(key) }
            return
        }
        let escaped = bytes[key].contains(UInt8(ascii: "\\"))
        for index in base..<openKeys.count {
            let other = openKeys[index]
            if escaped || other.escaped {
                if decodeKey(other.range) == decodeKey(key) { throw duplicate(key) }
            } else if sameBytes(other.range, key) {
                throw duplicate(key)
            }
        }
        openKeys.append((key, escaped))
        if openKeys.count - base > 32 {
            many = Set(openKeys[base...].map { decodeKey($0.range) })
        }
    }

    /// Where the indexer's own name check keeps the names of the object it reads.
    var openKeyCount: Int { openKeys.count }
    mutating func closeKeys(from base: Int) { if openKeys.count > base { openKeys.removeSubrange(base...) } }

    func duplicate(_ key: Range<Int>) -> JSONParser.Error {
        JSONParser.Error(message: "the member name \(decodeKey(key).prefix(40)) occurs twice in one object", offset: key.lowerBound)
    }

    /// Calls `body` for each element of an array, with the scanner at the element.
    mutating func elements(_ body: (inout JSONScanner) throws(JSONParser.Error) -> Void) throws(JSONParser.Error) {
        position += 1
        try enter()
        defer { depth -= 1 }
        skipWhitespace()
        if peek() == UInt8(ascii: "]") { position += 1; return }
        while true {
            skipWhitespace()
            try body(&self)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return
            default: throw error("expected ',' or ']'")
            }
        }
    }

    /// Skips one value, checking its syntax; returns its byte range.
    mutating func skipValue() throws(JSONParser.Error) -> Range<Int> {
        skipWhitespace()
        let start = position
        guard let byte = peek() else { throw error("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "\""):
            return try skipString()
        case UInt8(ascii: "{"):
            position += 1
            try members { (scanner, _) throws(JSONParser.Error) in _ = try scanner.skipValue() }
        case UInt8(ascii: "["):
            try elements { (scanner) throws(JSONParser.Error) in _ = try scanner.skipValue() }
        case UInt8(ascii: "t"): try skipWord("true")
        case UInt8(ascii: "f"): try skipWord("false")
        case UInt8(ascii: "n"): try skipWord("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try skipNumber()
        default: throw error("unexpected character")
        }
        return start..<position
    }

    /// Skips a string, checking escapes, control characters and UTF-8; returns its range with
    /// quotes.
    ///
    /// The loop over plain bytes is inlined where strings are read (most of a page's bytes are
    /// in strings): it steps 8 bytes at a time to the first byte that is not plain ASCII text,
    /// then one at a time; an escape, a control character or a byte beyond ASCII continues
    /// out of line.
    @inline(__always)
    mutating func skipString() throws(JSONParser.Error) -> Range<Int> {
        let start = position
        position += 1
        let base = UnsafeRawPointer(bytes.baseAddress!)
        while true {
            while position + 8 <= bytes.count {
                let special = Self.specialBytes(base.loadUnaligned(fromByteOffset: position, as: UInt64.self))
                if special != 0 { position += special.trailingZeroBitCount >> 3; break }
                position += 8
            }
            guard position < bytes.count else { throw error("unterminated string") }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { position += 1; return start..<position }
            if byte >= 0x80 {
                guard let length = UTF8Validation.sequenceLength(at: position, in: bytes) else { throw error("invalid UTF-8") }
                position += length
            } else if byte < 0x20 || byte == UInt8(ascii: "\\") {
                return try skipStringRest(from: start)
            } else {
                position += 1  // a plain byte of the last 7
            }
        }
    }

    /// The high bit of each byte of `word` (read little-endian) that ends a run of plain string
    /// text: a quote, a backslash, a control character, or a byte beyond ASCII. A borrow only
    /// runs from a byte that is flagged itself into the bytes after it, so the lowest flag is
    /// exact (which is all the caller reads); flags above it may be false.
    @inline(__always)
    static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let control = (word &- ones &* 0x20) & ~word
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        return (control | zeroQuote | zeroBackslash | word) & highs
    }

    /// The rest of a string from an escape, a control character or a byte beyond ASCII at
    /// `position`.
    @inline(never)
    private mutating func skipStringRest(from start: Int) throws(JSONParser.Error) -> Range<Int> {
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { position += 1; return start..<position }
            if byte < 0x20 { throw error("control character in a string") }
            if byte >= 0x80 {
                guard let length = UTF8Validation.sequenceLength(at: position, in: bytes) else { throw error("invalid UTF-8") }
                position += length
                continue
            }
            if byte == UInt8(ascii: "\\") {
                guard position + 1 < bytes.count else { break }
                switch bytes[position + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 2
                case UInt8(ascii: "u"):
                    // The parser's rule, so the two never disagree: a high surrogate must be
                    // followed by a low one, and a low one never stands alone.
                    guard let unit = hex4(at: position + 2) else { throw error("invalid \\u escape") }
                    if unit >= 0xD800 && unit < 0xDC00 {
                        guard position + 12 <= bytes.count, bytes[position + 6] == UInt8(ascii: "\\"),
                              bytes[position + 7] == UInt8(ascii: "u"), let low = hex4(at: position + 8), low >= 0xDC00, low < 0xE000
                        else { throw error("lone surrogate in a string") }
                        position += 12
                    } else if unit >= 0xDC00 && unit < 0xE000 {
                        throw error("lone surrogate in a string")
                    } else {
                        position += 6
                    }
                default:
                    throw error("invalid escape")
                }
                continue
            }
            position += 1
        }
        throw error("unterminated string")
    }

    /// Four hex digits at `index`, as a UTF-16 unit.
    private func hex4(at index: Int) -> UInt16? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt16 = 0
        for offset in 0..<4 {
            let byte = bytes[index + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    private mutating func skipNumber() throws(JSONParser.Error) {
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek(), isDigitByte(first) else { throw error("invalid number") }
        position += 1
        if first != UInt8(ascii: "0") { while let byte = peek(), isDigitByte(byte) { position += 1 } }
        if peek() == UInt8(ascii: ".") {
            position += 1
            guard let byte = peek(), isDigitByte(byte) else { throw error("invalid number") }
            while let byte = peek(), isDigitByte(byte) { position += 1 }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            position += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
            guard let byte = peek(), isDigitByte(byte) else { throw error("invalid number") }
            while let byte = peek(), isDigitByte(byte) { position += 1 }
        }
    }

    private mutating func skipWord(_ word: StaticString) throws(JSONParser.Error) {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw error("unexpected end of input") }
        for offset in 0..<count where bytes[position + offset] != word.utf8Start[offset] { throw error("unexpected character") }
        position += count
    }

    private mutating func enter() throws(JSONParser.Error) {
        depth += 1
        if depth > 512 { throw error("nested too deeply") }
    }

    /// Member names are short and rarely escaped: decode them directly.
    func decodeKey(_ range: Range<Int>) -> String {
        let inner = UnsafeBufferPointer(rebasing: bytes[range.lowerBound + 1..<range.upperBound - 1])
        if !inner.contains(UInt8(ascii: "\\")) { return String(decoding: inner, as: UTF8.self) }
        return (try? JSONParser.parse(Array(bytes[range]), range: 0..<range.count))?.stringValue ?? ""
    }
}

@inline(__always) private func isHexByte(_ byte: UInt8) -> Bool {
    isDigitByte(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
}
