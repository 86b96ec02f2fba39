import CBQCore
import CBQRuntime

/// What a column's values have been, as far as the rows seen tell: a type inferred from their
/// JSON (integer, decimal, boolean, date, timestamp, text, JSON), and whether a null was seen.
public struct ColumnKind: Hashable, Sendable {
    public enum Kind: String, Sendable {
        case integer, decimal, boolean, date, timestamp, text, json
        /// Only nulls seen so far.
        case unknown
    }

    public var kind = Kind.unknown
    public var nullSeen = false

    public init(kind: Kind = .unknown, nullSeen: Bool = false) {
        self.kind = kind
        self.nullSeen = nullSeen
    }

    /// This kind widened by one more value: integers and decimals are decimal, dates and
    /// timestamps timestamp, anything else mixed is text.
    mutating func add(_ other: Kind) {
        switch (kind, other) {
        case (_, .unknown): break
        case (.unknown, _): kind = other
        case let (a, b) where a == b: break
        case (.integer, .decimal), (.decimal, .integer): kind = .decimal
        case (.date, .timestamp), (.timestamp, .date): kind = .timestamp
        default: kind = .text
        }
    }

    /// The kind of one raw JSON value; nil for null.
    static func of(_ bytes: ArraySlice<UInt8>) -> Kind? {
        guard let first = bytes.first else { return .unknown }
        switch first {
        case UInt8(ascii: "n"): return nil
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .boolean
        case UInt8(ascii: "["), UInt8(ascii: "{"): return .json
        case UInt8(ascii: "\""):
            let text = bytes.dropFirst().dropLast()
            if Self.isDate(text) { return text.count == 10 ? .date : (Self.isTimestamp(text) ? .timestamp : .text) }
            return .text
        default:
            return bytes.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") } ? .decimal : .integer
        }
    }

    /// `YYYY-MM-DD` at the start.
    private static func isDate(_ text: ArraySlice<UInt8>) -> Bool {
        guard text.count >= 10 else { return false }
        let digits = [0, 1, 2, 3, 5, 6, 8, 9].map { text[text.startIndex + $0] }
        return digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
            && text[text.startIndex + 4] == UInt8(ascii: "-") && text[text.startIndex + 7] == UInt8(ascii: "-")
    }

    /// `YYYY-MM-DDTHH:MM…`, as cbq's own time parsing reads it.
    private static func isTimestamp(_ text: ArraySlice<UInt8>) -> Bool {
        Instant(String(decoding: text, as: UTF8.self)) != nil
    }
}
