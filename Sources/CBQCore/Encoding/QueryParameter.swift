/// One query parameter, kept structured until it is printed, so the same parameter can be shown
/// as the guide writes it (`filter[created_at][ge]=2025-01-01T00:00:00Z`) or as it goes on the
/// wire (`filter%5Bcreated_at%5D%5Bge%5D=2025-01-01T00:00:00Z`).
///
/// Names and values are percent-encoded so that a server decoding the query string with form
/// rules gets back exactly what the user wrote: `&`, `=`, `#`, `%`, `+`, space, brackets, quotes,
/// commas and all non-ASCII (as UTF-8) are encoded; a value's list separators (`sort=-a,b`) are not.
public struct QueryParameter: Hashable, Sendable, CustomStringConvertible {
    /// How brackets in parameter names are written.
    public enum Style: Sendable {
        /// Literal brackets, as in Casebook's guide: for people to read.
        case readable
        /// `%5B` and `%5D`, as JSON:API recommends: what is sent.
        case wire
    }

    /// `filter` in `filter[last_name][like]`.
    public var name: String
    /// `["last_name", "like"]` in `filter[last_name][like]`.
    public var subscripts: [String]
    /// The value's items, joined by literal commas (one item for a filter, several for `sort`).
    public var values: [String]

    public init(_ name: String, _ subscripts: [String] = [], values: [String]) {
        self.name = name
        self.subscripts = subscripts
        self.values = values
    }

    public init(_ name: String, _ subscripts: [String] = [], value: String) {
        self.init(name, subscripts, values: [value])
    }

    /// The name alone, e.g. `filter[last_name][like]`; a server's `source.parameter` names it so.
    public func formattedName(_ style: Style = .readable) -> String {
        let open = style == .readable ? "[" : "%5B"
        let close = style == .readable ? "]" : "%5D"
        var text = PercentEncoding.queryComponent(name)
        for part in subscripts { text += open + PercentEncoding.queryComponent(part) + close }
        return text
    }

    public func formatted(_ style: Style = .readable) -> String {
        formattedName(style) + "=" + values.map(PercentEncoding.queryComponent).joined(separator: ",")
    }

    public var description: String { formatted(.readable) }
}

/// Percent-encoding with the exact set cbq leaves alone.
public enum PercentEncoding {
    /// Encodes all but ASCII letters, digits and `-._~:@/`. Those survive both RFC 3986 and
    /// form decoding unchanged, and keep timestamps and e-mail addresses readable.
    public static func queryComponent(_ text: String) -> String {
        encode(text) { byte in byte == UInt8(ascii: ":") || byte == UInt8(ascii: "@") || byte == UInt8(ascii: "/") }
    }

    /// Encodes one path segment: as a query component, but `/` is encoded too, so an id cannot
    /// reach another path.
    public static func pathSegment(_ text: String) -> String {
        encode(text) { byte in byte == UInt8(ascii: ":") || byte == UInt8(ascii: "@") }
    }

    private static let hex = Array("0123456789ABCDEF".utf8)

    private static func encode(_ text: String, alsoAllowed: (UInt8) -> Bool) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) || alsoAllowed(byte) {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        isIdentifierPart(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "~")
    }

    /// Decodes `%XX` escapes (and, with `plusIsSpace`, `+` as a space, as form decoding does).
    /// Returns nil for a malformed escape or bytes that are not UTF-8.
    public static func decode(_ text: some StringProtocol, plusIsSpace: Bool = false) -> String? {
        var output: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        while let byte = bytes.popFirst() {
            if byte == UInt8(ascii: "%") {
                guard bytes.count >= 2, let high = hexValue(bytes.removeFirst()), let low = hexValue(bytes.removeFirst())
                else { return nil }
                output.append(high << 4 | low)
            } else if plusIsSpace && byte == UInt8(ascii: "+") {
                output.append(0x20)
            } else {
                output.append(byte)
            }
        }
        return String(validating: output, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
