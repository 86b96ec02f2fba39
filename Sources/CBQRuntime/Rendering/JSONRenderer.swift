import CBQCore

/// `ndjson` (one object per line) and `json` (an array, one object per line). Keys are exactly
/// the projection's; values are copied from the API's bytes as they are, so types and digits
/// survive untouched and nothing is decoded that does not need to be.
final class JSONRenderer: ResultRenderer {
    private let output: OutputStream
    private let lines: Bool
    /// `SELECT *`: each row writes its own id and attributes, in the order the server sent them.
    private let allColumns: Bool
    private var columns: [ResultColumn] = []
    private var keys: [[UInt8]] = []
    private var count = 0

    init(output: OutputStream, lines: Bool, allColumns: Bool) {
        self.output = output
        self.lines = lines
        self.allColumns = allColumns
    }

    func begin(_ columns: [ResultColumn]) {
        self.columns = columns
        keys = columns.map { Self.key($0.name) }
    }

    private static func key(_ name: String) -> [UInt8] {
        var bytes: [UInt8] = []
        JSONWriter.writeString(name, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        return bytes
    }

    private static let idKey = key("id")

    func write(_ row: ResultRow) {
        output.withBuffer { buffer in
            beginObject(&buffer)
            if case .encoded(let bytes) = row {
                buffer.append(contentsOf: bytes)
            } else {
                object(row, into: &buffer)
            }
            endObject(&buffer)
        }
        output.flushIfNeeded()
    }

    /// What goes before a row's object: `[` or `,` in a JSON array.
    @inline(__always)
    private func beginObject(_ buffer: inout [UInt8]) {
        if !lines { buffer.append(contentsOf: count == 0 ? Self.opening : Self.separator) }
        count += 1
    }

    /// What goes after a row's object: a newline in NDJSON.
    @inline(__always)
    private func endObject(_ buffer: inout [UInt8]) {
        if lines { buffer.append(0x0A) }
    }

    /// `SELECT *`: a page's rows in one pass over the output buffer, the page's bytes and
    /// members opened once for the rows that share them.
    func write(raw rows: [RawRow]) {
        guard allColumns else {
            for row in rows { write(.raw(row)) }
            return
        }
        output.withBuffer { buffer in
            rows.withUnsafeBufferPointer { rows in
                var first = 0
                while first < rows.count {
                    let page = rows[first].page
                    var end = first + 1
                    while end < rows.count, rows[end].page === page { end += 1 }
                    page.bytes.withUnsafeBufferPointer { bytes in
                        page.members.withUnsafeBufferPointer { members in
                            for index in first..<end {
                                beginObject(&buffer)
                                Self.allColumnsObject(rows[index], bytes, members, into: &buffer)
                                endObject(&buffer)
                            }
                        }
                    }
                    first = end
                }
            }
        }
        output.flushIfNeeded()
    }

    private static let opening = Array("[\n".utf8)
    private static let separator = Array(",\n".utf8)

    /// `SELECT *` rows a sort holds are encoded when they arrive, so the sort keeps their
    /// output bytes (about the size of the page bytes, which it then need not keep) and
    /// writes them with a copy.
    var rowEncoder: (@Sendable (RawRow) -> [UInt8])? {
        guard allColumns else { return nil }
        return { row in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(row.span.count)
            Self.allColumnsObject(row, into: &bytes)
            return bytes
        }
    }

    /// The row as one JSON object, `{…}`.
    private func object(_ row: ResultRow, into buffer: inout [UInt8]) {
        switch row {
        case .raw(let raw) where allColumns:
            Self.allColumnsObject(raw, into: &buffer)
        case .raw(let raw):
            buffer.append(UInt8(ascii: "{"))
            for (index, column) in columns.enumerated() {
                if index > 0 { buffer.append(UInt8(ascii: ",")) }
                buffer.append(contentsOf: keys[index])
                if let range = raw.raw(column.field) {
                    if JSONCompact.isNested(raw.page.bytes[range.lowerBound]) {
                        buffer.append(contentsOf: JSONCompact.bytes(raw.page.bytes[range]))
                    } else {
                        buffer.append(contentsOf: raw.page.bytes[range])
                    }
                } else {
                    buffer.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])  // null
                }
            }
            buffer.append(UInt8(ascii: "}"))
        case .values(let values):
            buffer.append(UInt8(ascii: "{"))
            for (index, value) in values.enumerated() where index < keys.count {
                if index > 0 { buffer.append(UInt8(ascii: ",")) }
                buffer.append(contentsOf: keys[index])
                value.writeJSON(into: &buffer)
            }
            buffer.append(UInt8(ascii: "}"))
        case .encoded(let bytes):
            buffer.append(contentsOf: bytes)
        }
    }

    /// `SELECT *`: the row's own id and attributes, in the order the server sent them.
    ///
    /// The hot loop of an export: it copies from raw pointers and compares bytes, so no
    /// reference count is touched per member (array slices and the members' key strings
    /// would touch a count shared by every thread's rows).
    private static func allColumnsObject(_ raw: RawRow, into buffer: inout [UInt8]) {
        raw.page.bytes.withUnsafeBufferPointer { page in
            raw.page.members.withUnsafeBufferPointer { members in
                allColumnsObject(raw, page, members, into: &buffer)
            }
        }
    }

    /// As above, with the row's page's bytes and members open.
    @inline(__always)
    private static func allColumnsObject(_ raw: RawRow, _ page: UnsafeBufferPointer<UInt8>, _ pageMembers: UnsafeBufferPointer<PageMember>,
                                         into buffer: inout [UInt8]) {
        let members = UnsafeBufferPointer(rebasing: pageMembers[raw.memberRange])
        buffer.append(UInt8(ascii: "{"))
        buffer.append(contentsOf: idKey)
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: page[raw.id]))
        // The attributes come first, then the relationships (whose values are not
        // where their names are). The server's own bytes for all the attributes at once,
        // when they are exactly `"k":v,"k":v` (no white space between, no `id` among them, no
        // nested value, which may hold white space): one copy a row.
        var from = 0
        let attributeCount = members.firstIndex { $0.isRelationship } ?? members.count
        if let span = compactSpan(page, UnsafeBufferPointer(rebasing: members[..<attributeCount])) {
            buffer.append(UInt8(ascii: ","))
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: page[span]))
            from = attributeCount
        }
        for index in members.indices[from...] {
            let keyRange = members[index].nameRange
            if isIDKey(page, keyRange) || (escapes(page, keyRange) && raw.page.name(members[index].number) == "id") { continue }
            buffer.append(UInt8(ascii: ","))
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: page[keyRange]))
            buffer.append(UInt8(ascii: ":"))
            let value = UnsafeBufferPointer(rebasing: page[members[index].valueRange])
            // A nested value on one line: a server may spread it over several.
            if JSONCompact.isNested(value[0]) { buffer.append(contentsOf: JSONCompact.bytes(value)) } else { buffer.append(contentsOf: value) }
        }
        buffer.append(UInt8(ascii: "}"))
    }

    /// The range from the first member's name to the last one's value when the members fill
    /// it with nothing but one `:` each and one `,` between, in order, and none is named `id`.
    @inline(__always)
    private static func compactSpan(_ page: UnsafeBufferPointer<UInt8>, _ members: UnsafeBufferPointer<PageMember>) -> Range<Int>? {
        guard let first = members.first, let last = members.last, first.nameRange.lowerBound < last.valueRange.upperBound else { return nil }
        var length = -1
        var end = first.nameRange.lowerBound
        for member in members {
            // Each member after the one before it, its value after its name.
            guard member.nameRange.lowerBound >= end, member.valueRange.lowerBound >= member.nameRange.upperBound else { return nil }
            end = member.valueRange.upperBound
            if isIDKey(page, member.nameRange) || escapes(page, member.nameRange) || JSONCompact.isNested(page[member.valueRange.lowerBound]) { return nil }
            length += member.nameRange.count + member.valueRange.count + 2
        }
        let span = first.nameRange.lowerBound..<last.valueRange.upperBound
        return span.count == length ? span : nil
    }

    /// Whether a member's name holds an escape (`"\\u0069d"` is `id` too).
    private static func escapes(_ page: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        page[range].contains(UInt8(ascii: "\\"))
    }

    /// Whether a member's name, quotes included, is `"id"` (JSON:API forbids it as an
    /// attribute; a server that sends one anyway does not get a second id key).
    @inline(__always)
    private static func isIDKey(_ page: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        range.count == 4 && page[range.lowerBound + 1] == UInt8(ascii: "i") && page[range.lowerBound + 2] == UInt8(ascii: "d")
    }

    func finish(rowCount: Int) {
        if !lines { output.write(count == 0 ? "[]\n" : "\n]\n") }
    }
}
