import CBQCore

/// A page's bytes, shared by all its rows.
public final class PageBuffer: Sendable {
    public let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
}

/// A member of a resource's attributes: its name, and where its name (quotes included) and
/// value sit in the page, so output can copy both without re-escaping.
public struct RawMember: Sendable {
    public let key: String
    public let keyRange: Range<Int>
    public let value: Range<Int>
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

    /// `id`, then the attribute names in the order the server sent them: `SELECT *`'s columns.
    public var columnNames: [String] {
        ["id"] + attributes.map(\.key).filter { $0 != "id" }
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
