import CBQCore

/// A page's bytes, shared by all its rows.
///
/// Values a row has that the page does not spell out as JSON (a to-many relationship's ids as
/// an array, a links-only relationship's NULL) are appended after the document while it is
/// indexed, and only then: once the page is handed on it never changes, hence `@unchecked`.
public final class PageBuffer: @unchecked Sendable {
    public private(set) var bytes: [UInt8]
    /// Where the value made for the relationship object at an offset of the document was put,
    /// so indexing a held row again (a sort's) finds it instead of appending.
    private var made: [Int: Range<Int>] = [:]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The range of `value` after the document, made once per relationship object at `offset`.
    func madeValue(for offset: Int, _ value: () -> [UInt8]) -> Range<Int> {
        if let range = made[offset] { return range }
        let start = bytes.count
        bytes.append(contentsOf: value())
        let range = start..<bytes.count
        made[offset] = range
        return range
    }
}

/// A member of a resource's attributes: its name, and where its name (quotes included) and
/// value sit in the page, so output can copy both without re-escaping.
public struct RawMember: Sendable {
    public let key: String
    public let keyRange: Range<Int>
    public let value: Range<Int>
    /// A relationship (its value the related id or ids), not an attribute.
    public var isRelationship = false

    public init(key: String, keyRange: Range<Int>, value: Range<Int>, isRelationship: Bool = false) {
        self.key = key
        self.keyRange = keyRange
        self.value = value
        self.isRelationship = isRelationship
    }
}

/// One resource of a page, indexed but not decoded: values are byte ranges into the page, and
/// decode only when something needs them (a local predicate, a table cell). NDJSON and JSON
/// output copy the bytes as they are.
public struct RawRow: Sendable {
    public let page: PageBuffer
    public let type: Range<Int>?
    public let id: Range<Int>
    public let attributes: [RawMember]
    /// The whole resource object's bytes in the page.
    public let span: Range<Int>

    /// The raw JSON of a column: `id` is the resource id; nil for a missing attribute.
    public func raw(_ name: String) -> Range<Int>? {
        if name == "id" { return id }
        for member in attributes where member.key == name { return member.value }
        return nil
    }

    /// A column's value; NULL when the row has no such attribute.
    public func value(_ name: String) -> JSONValue {
        guard let range = raw(name) else { return .null }
        return decode(range)
    }

    public func decode(_ range: Range<Int>) -> JSONValue {
        // The indexer validated the page, so this cannot fail; NULL is the safe answer if it did.
        (try? JSONParser.parse(page.bytes, range: range)) ?? .null
    }

    /// A column's value for the local engine: numbers read exactly from their digits, strings
    /// decoded, nested JSON kept as its text; NULL when the row has no such attribute.
    public func sqlValue(_ name: String) -> SQLValue {
        guard let range = raw(name) else { return .null }
        let bytes = page.bytes
        switch bytes[range.lowerBound] {
        case UInt8(ascii: "\""):
            let inner = range.lowerBound + 1..<range.upperBound - 1
            if !bytes[inner].contains(UInt8(ascii: "\\")) { return .text(String(decoding: bytes[inner], as: UTF8.self)) }
            return SQLValue(decode(range))
        case UInt8(ascii: "t"): return .boolean(true)
        case UInt8(ascii: "f"): return .boolean(false)
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "["), UInt8(ascii: "{"): return .nested(String(decoding: bytes[range], as: UTF8.self))
        default: return SQLValue(number: bytes[range])
        }
    }

    /// The values of `columns`, in order: a row's input slots.
    public func slots(_ columns: [String]) -> [SQLValue] {
        columns.map(sqlValue)
    }

    /// `id`, then the attribute names in the order the server sent them, then the
    /// relationships' (each holds the related id, or an array of ids): `SELECT *`'s columns.
    public var columnNames: [String] {
        ["id"] + attributes.map(\.key).filter { $0 != "id" }
    }

    /// The relationships' members: they come after the attributes (``PageIndexer``), so a row
    /// without any costs one look at its last member.
    public var relationships: ArraySlice<RawMember> {
        let first = attributes.lastIndex(where: { !$0.isRelationship }).map { $0 + 1 } ?? attributes.startIndex
        return attributes[first...]
    }

    /// The resource's type, unquoted; nil when it has none.
    public var typeText: String? {
        type.flatMap { decode($0).stringValue }
    }

    /// The id as text (a string id unquoted, a numeric id as written).
    public var idText: String {
        decode(id).scalarText ?? ""
    }

    /// A 64-bit FNV-1a hash of the raw type and id, for de-duplicating rows across pages without
    /// keeping every id: 16 bytes a row.
    public var identityHash: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let bytes = page.bytes
        if let type { for index in type { hash = (hash ^ UInt64(bytes[index])) &* 0x100_0000_01b3 } }
        hash = (hash ^ 0xFF) &* 0x100_0000_01b3
        for index in id { hash = (hash ^ UInt64(bytes[index])) &* 0x100_0000_01b3 }
        return hash
    }
}
