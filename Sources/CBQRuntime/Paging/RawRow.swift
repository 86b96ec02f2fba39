import CBQCore

/// A page's bytes, shared by all its rows, with what indexing found in them: each row's
/// members (one table for the page, not an array a row) and the member names (one string a
/// name for the page, not one a member).
///
/// Values a row has that the page does not spell out as JSON (a to-many relationship's ids as
/// an array, a links-only relationship's NULL) are appended after the document while it is
/// indexed, and only then: once the page is handed on it never changes, hence `@unchecked`.
public final class PageBuffer: @unchecked Sendable {
    public private(set) var bytes: [UInt8]
    /// Where the value made for the relationship object at an offset of the document was put,
    /// so indexing a held row again (a sort's) finds it instead of appending.
    private var made: [Int: Range<Int>]
    /// The rows' members, each row's a run of them (``RawRow/attributes``).
    var members: [PageMember] = []
    /// The member names; a page indexed again shares its original's.
    private(set) var names: NameTable

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        made = [:]
        names = NameTable()
    }

    /// A buffer over the same bytes for indexing one of `original`'s rows again: it finds the
    /// original's made values and names, and has members of its own, so the original (which
    /// other threads may be reading) is never written.
    init(again original: PageBuffer) {
        bytes = original.bytes
        made = original.made
        names = original.names
    }

    /// The range of `value` after the document, made once per relationship object at `offset`.
    func madeValue(for offset: Int, _ value: () -> [UInt8]) -> Range<Int> {
        if let range = made[offset] { return range }
        let start = bytes.count
        bytes.append(contentsOf: value())
        let range = start..<bytes.count
        made[offset] = range
        return range
    }

    /// The number of `name` in this page's table, added if new.
    func nameNumber(_ name: String) -> UInt32 {
        if let number = names.numbers[name] { return number }
        // A table shared with the page this one re-reads is copied before it changes.
        if !isKnownUniquelyReferenced(&names) { names = names.copy() }
        return names.add(name)
    }

    func name(_ number: UInt32) -> String { names.names[Int(number)] }
}

/// A page's member names, numbered in the order first seen.
final class NameTable: @unchecked Sendable {
    private(set) var names: [String] = []
    private(set) var numbers: [String: UInt32] = [:]

    func add(_ name: String) -> UInt32 {
        let number = UInt32(names.count)
        names.append(name)
        numbers[name] = number
        return number
    }

    func copy() -> NameTable {
        let table = NameTable()
        table.names = names
        table.numbers = numbers
        return table
    }
}

/// A member as the page keeps it: where its name (quotes included) and value sit, and its
/// name's number. Plain integers, so a page's table of them is copied and freed without
/// touching a reference count.
struct PageMember {
    let nameStart: Int32
    let nameEnd: Int32
    let valueStart: Int32
    let valueEnd: Int32
    /// The name's number in the page's table; the top bit marks a relationship.
    let nameBits: UInt32

    static let relationshipBit: UInt32 = 1 << 31

    init(name: Range<Int>, value: Range<Int>, number: UInt32, isRelationship: Bool = false) {
        nameStart = Int32(truncatingIfNeeded: name.lowerBound)
        nameEnd = Int32(truncatingIfNeeded: name.upperBound)
        valueStart = Int32(truncatingIfNeeded: value.lowerBound)
        valueEnd = Int32(truncatingIfNeeded: value.upperBound)
        nameBits = isRelationship ? number | Self.relationshipBit : number
    }

    @inline(__always) var nameRange: Range<Int> { Int(nameStart)..<Int(nameEnd) }
    @inline(__always) var valueRange: Range<Int> { Int(valueStart)..<Int(valueEnd) }
    @inline(__always) var number: UInt32 { nameBits & ~Self.relationshipBit }
    @inline(__always) var isRelationship: Bool { nameBits & Self.relationshipBit != 0 }
}

/// A member of a resource's attributes: its name, and where its name (quotes included) and
/// value sit in the page, so output can copy both without re-escaping.
public struct RawMember: Sendable {
    public let key: String
    public let keyRange: Range<Int>
    public let value: Range<Int>
    /// A relationship (its value the related id or ids), not an attribute.
    public let isRelationship: Bool
}

/// A row's members, in order: its attributes as the server sent them, then its relationships.
public struct RawMembers: RandomAccessCollection, Sendable {
    let page: PageBuffer
    let range: Range<Int>

    public var startIndex: Int { range.lowerBound }
    public var endIndex: Int { range.upperBound }

    public subscript(position: Int) -> RawMember {
        let member = page.members[position]
        return RawMember(key: page.name(member.number), keyRange: member.nameRange, value: member.valueRange,
                         isRelationship: member.isRelationship)
    }
}

/// One resource of a page, indexed but not decoded: values are byte ranges into the page, and
/// decode only when something needs them (a local predicate, a table cell). NDJSON and JSON
/// output copy the bytes as they are.
public struct RawRow: Sendable {
    public let page: PageBuffer
    private let typeStart: Int32
    private let typeEnd: Int32
    private let idStart: Int32
    private let idEnd: Int32
    private let spanStart: Int32
    private let spanEnd: Int32
    /// This row's run of ``PageBuffer/members``.
    let membersStart: Int32
    let membersEnd: Int32

    init(page: PageBuffer, type: Range<Int>?, id: Range<Int>, members: Range<Int>, span: Range<Int>) {
        self.page = page
        typeStart = Int32(truncatingIfNeeded: type?.lowerBound ?? -1)
        typeEnd = Int32(truncatingIfNeeded: type?.upperBound ?? -1)
        idStart = Int32(truncatingIfNeeded: id.lowerBound)
        idEnd = Int32(truncatingIfNeeded: id.upperBound)
        membersStart = Int32(truncatingIfNeeded: members.lowerBound)
        membersEnd = Int32(truncatingIfNeeded: members.upperBound)
        spanStart = Int32(truncatingIfNeeded: span.lowerBound)
        spanEnd = Int32(truncatingIfNeeded: span.upperBound)
    }

    /// The raw `type` (quotes included); nil when the resource has none.
    public var type: Range<Int>? { typeStart < 0 ? nil : Int(typeStart)..<Int(typeEnd) }
    /// The raw `id` (quotes included when it is a string).
    public var id: Range<Int> { Int(idStart)..<Int(idEnd) }
    /// The whole resource object's bytes in the page.
    public var span: Range<Int> { Int(spanStart)..<Int(spanEnd) }
    var memberRange: Range<Int> { Int(membersStart)..<Int(membersEnd) }

    /// The attributes, then the relationships (each holds the related id, or an array of ids).
    public var attributes: RawMembers { RawMembers(page: page, range: memberRange) }

    /// The raw JSON of a column: `id` is the resource id; nil for a missing attribute.
    public func raw(_ name: String) -> Range<Int>? {
        if name == "id" { return id }
        let names = page.names.names
        return page.members.withUnsafeBufferPointer { members in
            for index in memberRange where names[Int(members[index].number)] == name { return members[index].valueRange }
            return nil
        }
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
        case UInt8(ascii: "["), UInt8(ascii: "{"): return .nested(JSONCompact.text(bytes[range]))
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
    public var relationships: RawMembers {
        let members = page.members
        var first = memberRange.upperBound
        while first > memberRange.lowerBound, members[first - 1].isRelationship { first -= 1 }
        return RawMembers(page: page, range: first..<memberRange.upperBound)
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
