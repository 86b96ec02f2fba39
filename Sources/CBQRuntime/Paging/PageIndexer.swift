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
    /// A compound document's `included` resources.
    public var included: [RawRow] = []
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
            case "included":
                guard scanner.peek() == UInt8(ascii: "[") else {
                    let range = try scanner.skipValue()
                    guard scanner.isNull(range) else { throw scanner.error("'included' must be an array") }
                    return
                }
                var previous: [RawMember] = []
                try scanner.elements { (scanner) throws(JSONParser.Error) in
                    let row = try resource(&scanner, page, previousKeys: previous)
                    previous = row.attributes
                    document.included.append(row)
                }
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
        var relationships: [RawMember] = []
        try scanner.members { (scanner, key) throws(JSONParser.Error) in
            switch key {
            case "relationships":
                guard scanner.peek() == UInt8(ascii: "{") else {
                    let range = try scanner.skipValue()
                    // null, or `[]`: how some encoders write an empty map.
                    if scanner.isNull(range) || Self.isEmptyArray(range, in: scanner) { return }
                    throw scanner.error("'relationships' must be an object")
                }
                scanner.advance()
                try scanner.rawMembers { (scanner, keyRange) throws(JSONParser.Error) in
                    let value = try relationship(&scanner, page)
                    relationships.append(RawMember(key: scanner.decodeKey(keyRange), keyRange: keyRange, value: value, isRelationship: true))
                }
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
                // Repeated names: while a row repeats the previous row's names in order (which
                // were unique), there is nothing to check; from the first name that differs,
                // each name is checked against this row's names.
                var following = true
                let base = scanner.openKeyCount
                var many: Set<String>?
                defer { scanner.closeKeys(from: base) }
                try scanner.rawMembers(checkingNames: false) { (scanner, keyRange) throws(JSONParser.Error) in
                    let index = attributes.count
                    let key: String
                    if following, index < previousKeys.count, scanner.sameBytes(previousKeys[index].keyRange, keyRange) {
                        key = previousKeys[index].key
                    } else {
                        if following {
                            following = false
                            for earlier in attributes { try scanner.noteKey(earlier.keyRange, base: base, many: &many) }
                        }
                        try scanner.noteKey(keyRange, base: base, many: &many)
                        key = scanner.decodeKey(keyRange)
                    }
                    attributes.append(RawMember(key: key, keyRange: keyRange, value: try scanner.skipValue()))
                }
            default:
                _ = try scanner.skipValue()
            }
        }
        guard let id else { throw JSONParser.Error(message: "a resource without an id", offset: start) }
        for member in relationships {
            // JSON:API's fields share one namespace: a name that is both is a malformed page.
            if member.key == "id" || member.key == "type" || attributes.contains(where: { $0.key == member.key }) {
                throw JSONParser.Error(message: "'\(member.key)' is both an attribute (or id) and a relationship", offset: member.keyRange.lowerBound)
            }
            attributes.append(member)
        }
        return RawRow(page: page, type: type, id: id, attributes: attributes, span: start..<scanner.position)
    }

    /// A relationship object's value as a column: a to-one's related id (as the page spells
    /// it), `null` for `"data": null`, a JSON array of the ids for a to-many, and NULL when it
    /// has no `data` (links only). The last two are made after the document (``PageBuffer``).
    private static func relationship(_ scanner: inout JSONScanner, _ page: PageBuffer) throws(JSONParser.Error) -> Range<Int> {
        guard scanner.peek() == UInt8(ascii: "{") else {
            let range = try scanner.skipValue()
            if scanner.isNull(range) { return range }  // a relationship that is null: NULL
            throw scanner.error("a relationship must be an object")
        }
        let start = scanner.position
        scanner.advance()
        var value: Range<Int>?
        try scanner.members { (scanner, key) throws(JSONParser.Error) in
            guard key == "data" else { _ = try scanner.skipValue(); return }
            switch scanner.peek() {
            case UInt8(ascii: "{"):
                value = try identifier(&scanner)
            case UInt8(ascii: "["):
                var ids: [Range<Int>] = []
                try scanner.elements { (scanner) throws(JSONParser.Error) in ids.append(try identifier(&scanner)) }
                let bytes = scanner.bytes
                value = page.madeValue(for: start) {
                    var array: [UInt8] = [UInt8(ascii: "[")]
                    for (index, id) in ids.enumerated() {
                        if index > 0 { array.append(UInt8(ascii: ",")) }
                        array.append(contentsOf: bytes[id])
                    }
                    array.append(UInt8(ascii: "]"))
                    return array
                }
            default:
                let range = try scanner.skipValue()
                guard scanner.isNull(range) else { throw scanner.error("a relationship's 'data' must be an object, an array or null") }
                value = range
            }
        }
        return value ?? page.madeValue(for: start) { Array("null".utf8) }
    }

    /// `[]`, white space inside allowed.
    private static func isEmptyArray(_ range: Range<Int>, in scanner: JSONScanner) -> Bool {
        guard scanner.byte(at: range.lowerBound) == UInt8(ascii: "[") else { return false }
        return range.dropFirst().dropLast().allSatisfy { [0x20, 0x0A, 0x0D, 0x09].contains(scanner.byte(at: $0)) }
    }

    /// `{"type": "people", "id": "PER-1"}`: the id's range.
    private static func identifier(_ scanner: inout JSONScanner) throws(JSONParser.Error) -> Range<Int> {
        guard scanner.peek() == UInt8(ascii: "{") else { throw scanner.error("a resource identifier must be an object") }
        let start = scanner.position
        scanner.advance()
        var id: Range<Int>?
        try scanner.members { (scanner, key) throws(JSONParser.Error) in
            let range = try scanner.skipValue()
            guard key == "id" else { return }
            let first = scanner.byte(at: range.lowerBound)
            guard first == UInt8(ascii: "\"") || first == UInt8(ascii: "-") || isDigitByte(first) else {
                throw scanner.error("a resource id must be a string")
            }
            id = range
        }
        guard let id else { throw JSONParser.Error(message: "a resource identifier without an id", offset: start) }
        return id
    }

    /// The resource at `span` of an indexed page, indexed again: how a held row (a sort keeps
    /// only its bytes' span) becomes a row to render.
    /// `like` is a row indexed before (its key strings are reused when the bytes match).
    static func resource(in page: PageBuffer, at span: Range<Int>, like previous: RawRow? = nil) -> RawRow? {
        page.bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            scanner.position = span.lowerBound
            return try? resource(&scanner, page, previousKeys: previous?.attributes ?? [])
        }
    }
}

@inline(__always) func isDigitByte(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
