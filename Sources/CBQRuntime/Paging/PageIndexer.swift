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
/// The whole document is checked: UTF-8 (in its strings, as they are read: outside strings
/// JSON allows only ASCII), JSON syntax, nesting depth. A malformed page is an error at a byte
/// offset, never a partial result.
public enum PageIndexer {
    public static func index(_ body: [UInt8]) throws(JSONParser.Error) -> IndexedDocument {
        // Offsets are kept as 32-bit integers; a transport refuses bodies far smaller than this.
        guard body.count < Int(Int32.max) / 2 else { throw JSONParser.Error(message: "a page larger than 1 GiB", offset: 0) }
        let page = PageBuffer(body)
        var members: [PageMember] = []
        let document = try body.withUnsafeBufferPointer { (buffer) throws(JSONParser.Error) -> IndexedDocument in
            try index(buffer, page: page, members: &members)
        }
        page.members = members
        return document
    }

    private static func index(_ buffer: UnsafeBufferPointer<UInt8>, page: PageBuffer,
                              members: inout [PageMember]) throws(JSONParser.Error) -> IndexedDocument {
        let body = page.bytes
        var scanner = JSONScanner(buffer)
        var document = IndexedDocument()
        scanner.skipWhitespace()
        try scanner.expect(UInt8(ascii: "{"), "expected a JSON object")
        try scanner.members { (scanner, key) throws(JSONParser.Error) in
            switch key {
            case "data":
                switch scanner.peek() {
                case UInt8(ascii: "["):
                    document.isCollection = true
                    // Resources of a page list the same attributes in the same order: a row's
                    // names are compared with the previous row's, not decoded again.
                    var previous: Range<Int>?
                    try scanner.elements { (scanner) throws(JSONParser.Error) in
                        let row = try resource(&scanner, page, &members, previous: previous)
                        previous = row.memberRange
                        document.rows.append(row)
                    }
                case UInt8(ascii: "{"):
                    document.rows.append(try resource(&scanner, page, &members, previous: nil))
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
                var previous: Range<Int>?
                try scanner.elements { (scanner) throws(JSONParser.Error) in
                    let row = try resource(&scanner, page, &members, previous: previous)
                    previous = row.memberRange
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

    /// The members of a resource object that the indexer reads.
    private enum ResourceMember: UInt8 {
        case type = 1, id = 2, attributes = 4, relationships = 8, other = 0
    }

    /// Which member a name is: its bytes compared in place (an escaped name is decoded).
    @inline(__always)
    private static func resourceMember(_ range: Range<Int>, _ scanner: JSONScanner) -> ResourceMember {
        switch range.count {
        case 4 where scanner.sameBytes(range, "\"id\""): return .id
        case 6 where scanner.sameBytes(range, "\"type\""): return .type
        case 12 where scanner.sameBytes(range, "\"attributes\""): return .attributes
        case 15 where scanner.sameBytes(range, "\"relationships\""): return .relationships
        default:
            guard scanner.bytes[range].contains(UInt8(ascii: "\\")) else { return .other }
            switch scanner.decodeKey(range) {
            case "type": return .type
            case "id": return .id
            case "attributes": return .attributes
            case "relationships": return .relationships
            default: return .other
            }
        }
    }

    /// Indexes one resource object, appending its members to `members`.
    /// - Parameter previous: the previous row's run of `members`, whose names this row's are
    ///   compared with before any is decoded.
    private static func resource(_ scanner: inout JSONScanner, _ page: PageBuffer, _ members: inout [PageMember],
                                 previous: Range<Int>?) throws(JSONParser.Error) -> RawRow {
        let start = scanner.position
        guard scanner.peek() == UInt8(ascii: "{") else { throw scanner.error("a resource must be an object") }
        scanner.advance()
        var type: Range<Int>?
        var id: Range<Int>?
        let first = members.count
        var relationships: [PageMember] = []
        // A name given twice is an error: the four the indexer reads are told apart by a bit
        // each, and only other names are compared.
        var read: UInt8 = 0
        let base = scanner.openKeyCount
        var many: Set<String>?
        defer { scanner.closeKeys(from: base) }
        try scanner.rawMembers(checkingNames: false) { (scanner, keyRange) throws(JSONParser.Error) in
            let member = resourceMember(keyRange, scanner)
            if member == .other {
                try scanner.noteKey(keyRange, base: base, many: &many)
            } else {
                guard read & member.rawValue == 0 else { throw scanner.duplicate(keyRange) }
                read |= member.rawValue
            }
            switch member {
            case .relationships:
                guard scanner.peek() == UInt8(ascii: "{") else {
                    let range = try scanner.skipValue()
                    // null, or `[]`: how some encoders write an empty map.
                    if scanner.isNull(range) || Self.isEmptyArray(range, in: scanner) { return }
                    throw scanner.error("'relationships' must be an object")
                }
                scanner.advance()
                try scanner.rawMembers { (scanner, keyRange) throws(JSONParser.Error) in
                    let value = try relationship(&scanner, page)
                    relationships.append(PageMember(name: keyRange, value: value, number: page.nameNumber(scanner.decodeKey(keyRange)),
                                                    isRelationship: true))
                }
            case .type:
                type = try scanner.skipValue()
            case .id:
                let range = try scanner.skipValue()
                let first = scanner.byte(at: range.lowerBound)
                guard first == UInt8(ascii: "\"") || first == UInt8(ascii: "-") || isDigitByte(first) else {
                    throw scanner.error("a resource id must be a string")
                }
                id = range
            case .attributes:
                guard scanner.peek() == UInt8(ascii: "{") else {
                    let range = try scanner.skipValue()
                    if scanner.isNull(range) { return }
                    throw scanner.error("'attributes' must be an object")
                }
                scanner.advance()
                let attributesStart = members.count
                // Repeated names: while a row repeats the previous row's names in order (which
                // were unique), there is nothing to check; from the first name that differs,
                // each name is checked against this row's names.
                var following = true
                let base = scanner.openKeyCount
                var many: Set<String>?
                defer { scanner.closeKeys(from: base) }
                try scanner.rawMembers(checkingNames: false) { (scanner, keyRange) throws(JSONParser.Error) in
                    let index = members.count - attributesStart
                    let number: UInt32
                    if following, let previous, index < previous.count,
                       case let earlier = members[previous.lowerBound + index], scanner.sameBytes(earlier.nameRange, keyRange) {
                        number = earlier.number
                    } else {
                        if following {
                            following = false
                            for earlier in members[attributesStart...] { try scanner.noteKey(earlier.nameRange, base: base, many: &many) }
                        }
                        try scanner.noteKey(keyRange, base: base, many: &many)
                        number = page.nameNumber(scanner.decodeKey(keyRange))
                    }
                    // Most values are strings: their loop is inlined here (``JSONScanner/skipString()``).
                    let value = scanner.peek() == UInt8(ascii: "\"") ? try scanner.skipString() : try scanner.skipValue()
                    members.append(PageMember(name: keyRange, value: value, number: number))
                }
            case .other:
                _ = try scanner.skipValue()
            }
        }
        guard let id else { throw JSONParser.Error(message: "a resource without an id", offset: start) }
        if !relationships.isEmpty {
            // JSON:API's fields share one namespace: a name that is both is a malformed page.
            // One name has one number in a page, however it was escaped.
            let attributes = members[first...]
            for member in relationships {
                let name = page.name(member.number)
                if name == "id" || name == "type" || attributes.contains(where: { $0.number == member.number }) {
                    throw JSONParser.Error(message: "'\(name)' is both an attribute (or id) and a relationship", offset: Int(member.nameStart))
                }
                members.append(member)
            }
        }
        return RawRow(page: page, type: type, id: id, members: first..<members.count, span: start..<scanner.position)
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
    /// only its bytes' span) becomes a row to render. The row gets a buffer of its own over the
    /// page's bytes (``PageBuffer/init(again:)``), so rows can be read again on several threads.
    /// `like` is a row read again before: when it comes from the same page, its names are
    /// compared with this row's before any is decoded.
    static func resource(in page: PageBuffer, at span: Range<Int>, like previous: RawRow? = nil) -> RawRow? {
        let again = PageBuffer(again: page)
        var members: [PageMember] = []
        var previousRange: Range<Int>?
        // Only a row of the same page: its names' offsets mean nothing in another page's bytes.
        if let previous, previous.page.names === page.names {
            members.append(contentsOf: previous.page.members[previous.memberRange])
            previousRange = 0..<members.count
        }
        let row = page.bytes.withUnsafeBufferPointer { buffer -> RawRow? in
            var scanner = JSONScanner(buffer)
            scanner.position = span.lowerBound
            return try? resource(&scanner, again, &members, previous: previousRange)
        }
        again.members = members
        return row
    }
}

@inline(__always) func isDigitByte(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
