#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CBQCore

/// A JSON:API response document, indexed: the rows of `data` as byte ranges, and the small
/// members (`links`, `meta`, `errors`) decoded.
public struct IndexedDocument: Sendable {
    public var rows: [RawRow] = []
    /// `data` was an array (a collection), not a single resource or null.
    public var isCollection = false
    public var hasLinks = false
    public var next: String?
    public var last: String?
    public var meta: JSONValue?
    public var errors: JSONValue?
}

/// Indexes a JSON:API document in one validating pass over its bytes, without building a value
/// for every attribute: this is what lets cbq read pages faster than it could decode them.
///
///     let document = try PageIndexer.index(body)
///     document.rows[0].value("last_name")     // decodes that one value
///
/// The whole document is checked: UTF-8, JSON syntax, nesting depth. A malformed page is an
/// error at a byte offset, never a partial result.
public enum PageIndexer {
    public static func index(_ body: [UInt8]) throws(JSONParser.Error) -> IndexedDocument {
        if let offset = UTF8Validation.firstInvalidByte(body) {
            throw JSONParser.Error(message: "invalid UTF-8", offset: offset)
        }
        let page = PageBuffer(body)
        return try body.withUnsafeBufferPointer { (buffer) throws(JSONParser.Error) -> IndexedDocument in
            try index(buffer, page: page)
        }
    }

    private static func index(_ buffer: UnsafeBufferPointer<UInt8>, page: PageBuffer) throws(JSONParser.Error) -> IndexedDocument {
        let body = page.bytes
        var scanner = JSONScanner(buffer)
        var document = IndexedDocument()
        // Resources of a page list the same attributes in the same order: reuse the previous
        // resource's key strings when their bytes match, instead of making 16 strings a row.
        var previousKeys: [RawMember] = []
        scanner.skipWhitespace()
        try scanner.expect(UInt8(ascii: "{"), "expected a JSON object")
        try scanner.members { (scanner, key) throws(JSONParser.Error) in
            switch key {
            case "data":
                switch scanner.peek() {
                case UInt8(ascii: "["):
                    document.isCollection = true
                    try scanner.elements { (scanner) throws(JSONParser.Error) in
                        let row = try resource(&scanner, page, previousKeys: previousKeys)
                        previousKeys = row.attributes
                        document.rows.append(row)
                    }
                case UInt8(ascii: "{"):
                    document.rows.append(try resource(&scanner, page, previousKeys: []))
                default:
                    let range = try scanner.skipValue()
                    guard scanner.isNull(range) else { throw scanner.error("'data' must be an array, an object or null") }
                }
            case "links":
                let range = try scanner.skipValue()
                let links = try JSONParser.parse(body, range: range)
                document.hasLinks = links != .null
                document.next = link(links["next"])
                document.last = link(links["last"])
            case "meta":
                document.meta = try JSONParser.parse(body, range: try scanner.skipValue())
            case "errors":
                document.errors = try JSONParser.parse(body, range: try scanner.skipValue())
            default:
                _ = try scanner.skipValue()
            }
        }
        scanner.skipWhitespace()
        guard scanner.atEnd else { throw scanner.error("unexpected data after the document") }
        return document
    }

    /// A link is a string or, in JSON:API 1.1, an object with `href`; null means none.
    private static func link(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: return text
        case .object?: return value?["href"]?.stringValue
        default: return nil
        }
    }

    private static func resource(_ scanner: inout JSONScanner, _ page: PageBuffer, previousKeys: [RawMember]) throws(JSONParser.Error) -> RawRow {
        let start = scanner.position
        guard scanner.peek() == UInt8(ascii: "{") else { throw scanner.error("a resource must be an object") }
        scanner.advance()
        var type: Range<Int>?
        var id: Range<Int>?
        var attributes: [RawMember] = []
        try scanner.members { (scanner, key) throws(JSONParser.Error) in
            switch key {
            case "type":
                type = try scanner.skipValue()
            case "id":
                let range = try scanner.skipValue()
                let first = scanner.byte(at: range.lowerBound)
                guard first == UInt8(ascii: "\"") || first == UInt8(ascii: "-") || isDigitByte(first) else {
                    throw scanner.error("a resource id must be a string")
                }
                id = range
            case "attributes":
                guard scanner.peek() == UInt8(ascii: "{") else {
                    let range = try scanner.skipValue()
                    if scanner.isNull(range) { return }
                    throw scanner.error("'attributes' must be an object")
                }
                scanner.advance()
                attributes.reserveCapacity(max(16, previousKeys.count))
                try scanner.rawMembers { (scanner, keyRange) throws(JSONParser.Error) in
                    let index = attributes.count
                    let key: String
                    if index < previousKeys.count, scanner.sameBytes(previousKeys[index].keyRange, keyRange) {
                        key = previousKeys[index].key
                    } else {
                        key = scanner.decodeKey(keyRange)
                    }
                    attributes.append(RawMember(key: key, keyRange: keyRange, value: try scanner.skipValue()))
                }
            default:
                _ = try scanner.skipValue()
            }
        }
        guard let id else { throw JSONParser.Error(message: "a resource without an id", offset: start) }
        return RawRow(page: page, type: type, id: id, attributes: attributes)
    }
}

@inline(__always) func isDigitByte(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

/// A validating JSON tokenizer that skips values instead of building them. It reads through an
/// unsafe buffer (valid only inside `withUnsafeBufferPointer`): no bounds checks in the hot loops,
/// which are guarded by explicit `position < count` tests instead.
struct JSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var position = 0
    private var depth = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func byte(at index: Int) -> UInt8 { bytes[index] }

    /// Whether two ranges hold the same bytes.
    func sameBytes(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        guard a.count == b.count else { return false }
        return memcmp(bytes.baseAddress! + a.lowerBound, bytes.baseAddress! + b.lowerBound, a.count) == 0
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
    mutating func rawMembers(_ body: (inout JSONScanner, Range<Int>) throws(JSONParser.Error) -> Void) throws(JSONParser.Error) {
        try enter()
        defer { depth -= 1 }
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { position += 1; return }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let key = try skipString()
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

    /// Skips a string, checking escapes and control characters; returns its range with quotes.
    mutating func skipString() throws(JSONParser.Error) -> Range<Int> {
        let start = position
        position += 1
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { position += 1; return start..<position }
            if byte < 0x20 { throw error("control character in a string") }
            if byte == UInt8(ascii: "\\") {
                guard position + 1 < bytes.count else { break }
                switch bytes[position + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 2
                case UInt8(ascii: "u"):
                    guard position + 6 <= bytes.count, bytes[position + 2..<position + 6].allSatisfy(isHexByte) else {
                        throw error("invalid \\u escape")
                    }
                    position += 6
                default:
                    throw error("invalid escape")
                }
                continue
            }
            position += 1
        }
        throw error("unterminated string")
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

/// UTF-8 validation with an ASCII fast path (eight bytes at a time).
enum UTF8Validation {
    static func firstInvalidByte(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { buffer -> Int? in
            let count = buffer.count
            var index = 0
            while index < count {
                if index + 8 <= count {
                    let word = UnsafeRawPointer(buffer.baseAddress! + index).loadUnaligned(as: UInt64.self)
                    if word & 0x8080_8080_8080_8080 == 0 { index += 8; continue }
                }
                let byte = buffer[index]
                if byte < 0x80 { index += 1; continue }
                let length: Int
                var minimum: UInt32
                var scalar: UInt32
                switch byte {
                case 0xC2...0xDF: length = 2; scalar = UInt32(byte & 0x1F); minimum = 0x80
                case 0xE0...0xEF: length = 3; scalar = UInt32(byte & 0x0F); minimum = 0x800
                case 0xF0...0xF4: length = 4; scalar = UInt32(byte & 0x07); minimum = 0x10000
                default: return index
                }
                guard index + length <= count else { return index }
                for offset in 1..<length {
                    let continuation = buffer[index + offset]
                    guard continuation & 0xC0 == 0x80 else { return index }
                    scalar = scalar << 6 | UInt32(continuation & 0x3F)
                }
                if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return index }
                minimum = 0
                index += length
            }
            return nil
        }
    }
}
