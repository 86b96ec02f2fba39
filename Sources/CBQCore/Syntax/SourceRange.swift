/// A half-open range of UTF-8 byte offsets into a statement's source text.
///
/// Tokens and AST nodes store byte offsets only; a line and column are computed when an error is
/// printed (see ``SourceText/location(of:)``), so lexing stays cheap.
public struct SourceRange: Hashable, Sendable, CustomStringConvertible {
    public var start: Int
    public var end: Int

    public init(_ start: Int, _ end: Int) {
        self.start = start
        self.end = max(start, end)
    }

    /// An empty range at `offset`, for "expected X here" errors.
    public static func at(_ offset: Int) -> SourceRange { SourceRange(offset, offset) }

    /// The smallest range covering both.
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(min(start, other.start), max(end, other.end))
    }

    public var description: String { "\(start)..<\(end)" }
}

/// A line and column, both 1-based; the column counts characters (grapheme clusters), as a
/// terminal shows them.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var description: String { "\(line):\(column)" }
}

/// Source text with its name (a file path, or `<query>` for a command-line argument).
///
/// Holds the UTF-8 bytes once so that ranges can be turned into text and positions without
/// re-encoding.
public struct SourceText: Hashable, Sendable {
    public static func == (a: SourceText, b: SourceText) -> Bool { a.name == b.name && a.text == b.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(name); hasher.combine(text) }

    public let name: String
    public let text: String
    public let utf8: [UInt8]

    public init(_ text: String, name: String = "<query>") {
        self.name = name
        self.text = text
        self.utf8 = Array(text.utf8)
    }

    /// The text a range covers (invalid UTF-8 cuts are repaired, never trapped on).
    public func slice(_ range: SourceRange) -> String {
        let lower = min(max(0, range.start), utf8.count)
        let upper = min(max(lower, range.end), utf8.count)
        return String(decoding: utf8[lower..<upper], as: UTF8.self)
    }

    /// The text of `range` for a message: at most `limit` characters, then `…`, so an error
    /// about a megabyte-long token quotes a few words of it.
    public func excerpt(_ range: SourceRange, limit: Int = 40) -> String {
        let clipped = SourceRange(range.start, min(range.end, range.start + limit * 4))
        let text = slice(clipped)
        if text.count > limit { return String(text.prefix(limit)) + "…" }
        return clipped.end < range.end ? text + "…" : text
    }

    /// The line and column of a byte offset.
    public func location(of offset: Int) -> SourceLocation {
        let offset = min(max(0, offset), utf8.count)
        var line = 1
        var lineStart = 0
        for index in 0..<offset where utf8[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        let prefix = String(decoding: utf8[lineStart..<offset], as: UTF8.self)
        return SourceLocation(line: line, column: prefix.count + 1)
    }

    /// The whole line containing `offset`, without its newline, and the byte offset it starts at.
    public func line(containing offset: Int) -> (text: String, start: Int) {
        let offset = min(max(0, offset), utf8.count)
        var start = offset
        while start > 0 && utf8[start - 1] != UInt8(ascii: "\n") { start -= 1 }
        var end = offset
        while end < utf8.count && utf8[end] != UInt8(ascii: "\n") { end += 1 }
        var text = String(decoding: utf8[start..<end], as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        return (text, start)
    }
}
