/// How values compare and match, in one place: the sandbox applies the API's filters with these
/// functions and the executor applies local predicates with them, so a predicate gives the same
/// rows wherever it runs.
///
/// - Comparisons follow the attribute's type: numbers numerically, strings by their UTF-8
///   bytes, booleans from `true`/`false`, with false before true. Two ISO 8601 dates or
///   timestamps compare as the instants they are (``compareText(_:_:)``).
/// - Equality of strings is exact and case-sensitive.
/// - NULL compares as unknown (nil), as in SQL: `neq` does not match a null.
/// - LIKE is case-insensitive and matches the whole value; `%` is any run of characters and
///   `_` exactly one code point.
public enum ValueSemantics {
    /// Orders an attribute against a filter's text, read as the attribute's type. nil when the
    /// answer is unknown: a null attribute, text that is not of the attribute's type, or an
    /// array or object.
    public static func compare(_ attribute: JSONValue, toText text: String) -> Int? {
        switch attribute {
        case .null, .array, .object:
            return nil
        case .number(let number):
            // Exactly, as the local predicate compares (`< 20.00000000000000001` holds for 20),
            // when both are decimals of 64 bits; else as doubles.
            if let exact = ExactDecimal(text), let own = ExactDecimal(String(number)) { return ExactDecimal.compare(own, exact) }
            guard let other = Double(text), other.isFinite else { return nil }
            return number < other ? -1 : number > other ? 1 : 0
        case .string(let string):
            return compareText(string, text)
        case .bool(let value):
            let other: Bool
            switch text.lowercased() {
            case "true": other = true
            case "false": other = false
            default: return nil
            }
            return value == other ? 0 : (value ? 1 : -1)
        }
    }

    /// Orders two attributes: by their common type when they share one, else as the left one's
    /// type reads the right one's text.
    public static func compare(_ left: JSONValue, _ right: JSONValue) -> Int? {
        switch (left, right) {
        case (.null, _), (_, .null): return nil
        case (.string(let a), .string(let b)): return compareText(a, b)
        case (.number(let a), .number(let b)): return a < b ? -1 : a > b ? 1 : 0
        case (.bool(let a), .bool(let b)): return a == b ? 0 : (a ? 1 : -1)
        default:
            guard let text = right.scalarText else { return nil }
            return compare(left, toText: text)
        }
    }

    /// Whether a comparison's outcome satisfies an operator.
    public static func satisfies(_ order: Int, _ op: ComparisonOperator) -> Bool {
        switch op {
        case .equal: return order == 0
        case .notEqual: return order != 0
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        case .greaterOrEqual: return order >= 0
        }
    }

    /// LIKE: nil for a null (or non-scalar) value.
    public static func like(_ value: JSONValue, pattern: String) -> Bool? {
        guard let text = value.scalarText else { return nil }
        return LikePattern(pattern).matches(text)
    }

    /// Orders two strings by their UTF-8 bytes, which is Unicode code point order: SQLite's
    /// BINARY collation and PostgreSQL's "C". Text that differs only in normalisation differs
    /// here too, as it does for those databases (JSON APIs send NFC).
    /// Orders two strings: by their bytes, except two ISO 8601 dates or timestamps, which
    /// compare as instants where their bytes might not (a date against a timestamp, which is
    /// its midnight UTC; offsets; fractions of a second: `…00:00Z` is before `…00:00.5Z`, whose
    /// `.` sorts first). Timestamps of one form, both in UTC, are compared as bytes: the same
    /// order, without reading them.
    public static func compareText(_ a: String, _ b: String) -> Int {
        var a = a, b = b
        let sameForm = a.withUTF8 { x in
            b.withUTF8 { y -> Bool? in
                guard looksLikeTime(x), looksLikeTime(y) else { return nil }
                // The same form: dates, or UTC timestamps with a `T` (not a space or a `t`, which
                // read as the same instant but differ as bytes).
                return x.count == y.count && (x.count == 10 || (x.last == UInt8(ascii: "Z") && y.last == UInt8(ascii: "Z")
                    && x[10] == UInt8(ascii: "T") && y[10] == UInt8(ascii: "T")))
            }
        }
        if sameForm == false, let x = Instant(a), let y = Instant(b) { return Instant.compare(x, y) }
        return compareBytes(a, b)
    }

    /// Text as a key whose bytes order and equal as ``compareText(_:_:)`` does: a date or
    /// timestamp as its instant, in UTC, with a fixed-width fraction (`2025-03-01` and
    /// `2025-02-28T19:00:00-05:00` are one key); any other text as itself. For what hashes
    /// or sorts by bytes (GROUP BY, DISTINCT, a long IN list, a hash join, a local sort) to
    /// agree with `=` and `<`.
    public static func textKey(_ text: String) -> String {
        var copy = text
        // The forms servers send (a date, a UTC timestamp with or without a fraction) are keyed
        // from their bytes, without reading them as a time: GROUP BY and sorts key every row.
        if let key = copy.withUTF8({ canonicalKey($0) }) { return key }
        guard copy.withUTF8({ looksLikeTime($0) }), let instant = Instant(text) else { return text }
        var fraction = instant.fraction
        if fraction.utf8.count < 18 { fraction += String(repeating: "0", count: 18 - fraction.utf8.count) }
        return instant.asTimestamp.withFraction("").text.dropLast() + "." + fraction + "Z"
    }

    /// Hashes `text` as its ``textKey(_:)`` hashes, without building the key for the forms
    /// servers send (GROUP BY and DISTINCT hash every row, and a table's growth hashes again).
    public static func hashTextKey(_ text: String, into hasher: inout Hasher) {
        var copy = text
        if copy.withUTF8({ bytes -> Bool in
            guard canonicalKeyForm(bytes) else { return false }
            combineKey(bytes, into: &hasher)
            return true
        }) { return }
        // Another form of a time (an offset, a space): its key is of the form above.
        var key = textKey(text)
        if key != text {
            key.withUTF8 { combineKey($0, into: &hasher) }
        } else {
            hasher.combine(text)
        }
    }

    private static let midnight = Array("00:00:00".utf8)

    /// A date's or UTC timestamp's key parts, alike for equal instants: the date, the time
    /// (a date's is midnight), and the fraction's digits without trailing zeros (`.5`, `.500`
    /// and `.500000…` alike; `.000` none).
    private static func combineKey(_ b: UnsafeBufferPointer<UInt8>, into hasher: inout Hasher) {
        hasher.combine(0x7E as UInt8)  // apart from text hashed as itself
        hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b[0..<10])))
        if b.count == 10 {
            midnight.withUnsafeBytes { hasher.combine(bytes: $0) }
            return
        }
        var end = 19
        if b.count > 20 {
            end = b.count - 1  // before the Z
            while end > 20, b[end - 1] == UInt8(ascii: "0") { end -= 1 }
            if end == 20 { end = 19 }  // `.000…` is no fraction
        }
        hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b[11..<19])))
        if end > 19 { hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b[20..<end]))) }
    }

    /// `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SS[.f…]Z` with up to 18 places.
    private static func canonicalKeyForm(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard looksLikeTime(b), b[1] &- 0x30 < 10, b[2] &- 0x30 < 10, b[6] &- 0x30 < 10, b[9] &- 0x30 < 10 else { return false }
        if b.count == 10 { return true }
        guard b.count >= 20, b[10] == UInt8(ascii: "T"), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b[b.count - 1] == UInt8(ascii: "Z"),
              b[11] &- 0x30 < 10, b[12] &- 0x30 < 10, b[14] &- 0x30 < 10, b[15] &- 0x30 < 10, b[17] &- 0x30 < 10, b[18] &- 0x30 < 10
        else { return false }
        if b.count == 20 { return true }
        let places = b.count - 21
        guard b[19] == UInt8(ascii: "."), places >= 1, places <= 18 else { return false }
        for index in 20..<(b.count - 1) where b[index] &- 0x30 >= 10 { return false }
        return true
    }

    /// The key of `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS[.f…]Z` (up to 18 places), as
    /// ``textKey(_:)`` makes it; nil for any other text.
    private static func canonicalKey(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        guard canonicalKeyForm(b) else { return nil }
        let padding = Array(".000000000000000000Z".utf8)
        if b.count == 10 { return String(decoding: Array(b) + Array("T00:00:00".utf8) + padding, as: UTF8.self) }
        var key = Array(b[0..<19])
        if b.count == 20 { return String(decoding: key + padding, as: UTF8.self) }
        let places = b.count - 21
        key.append(contentsOf: b[19..<(b.count - 1)])
        key.append(contentsOf: padding[(places + 1)...])
        return String(decoding: key, as: UTF8.self)
    }

    /// `YYYY-MM-DD` at the start: worth reading as a time.
    @inline(__always)
    private static func looksLikeTime(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count >= 10 && bytes[4] == UInt8(ascii: "-") && bytes[7] == UInt8(ascii: "-")
            && bytes[0] &- 0x30 < 10 && bytes[3] &- 0x30 < 10 && bytes[5] &- 0x30 < 10 && bytes[8] &- 0x30 < 10
    }

    public static func compareBytes(_ a: String, _ b: String) -> Int {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let common = min(x.count, y.count)
                if common > 0, let xp = x.baseAddress, let yp = y.baseAddress {
                    var index = 0
                    while index < common {
                        let l = xp[index], r = yp[index]
                        if l != r { return l < r ? -1 : 1 }
                        index += 1
                    }
                }
                return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
            }
        }
    }
}

/// A compiled LIKE pattern: `%` any run of characters, `_` exactly one code point, `\` makes the
/// character after it literal (`'100\%'`, `'in\_home'`), as PostgreSQL's default escape does;
/// case-insensitive, whole value. Matching is iterative backtracking with one saved `%` (no recursion), so a hostile
/// pattern like `%a%a%a%…b` stays polynomial. ASCII text and patterns, the common case, are
/// matched on bytes.
public struct LikePattern: Sendable {
    /// Beyond ASCII, `_` is one code point and text matches code point by code point, as in
    /// PostgreSQL and SQLite (and as `length` counts): not by Swift's Characters, which join
    /// `\r\n` into one and an accent into its letter, and equate two spellings of `é`.
    private enum Element: Equatable { case any, one, scalar(Unicode.Scalar) }
    private enum ByteElement: Equatable { case any, one, byte(UInt8) }

    private let elements: [Element]
    /// The same pattern on lower-cased bytes, when it is all ASCII.
    private let asciiElements: [ByteElement]?

    public init(_ pattern: String) {
        var elements: [Element] = []
        var escaped = false
        for scalar in pattern.unicodeScalars.map(Self.folded) {
            if escaped {
                elements.append(.scalar(scalar))
                escaped = false
                continue
            }
            switch scalar {
            case "\\": escaped = true
            case "%": if elements.last != .any { elements.append(.any) }
            case "_": elements.append(.one)
            default: elements.append(.scalar(scalar))
            }
        }
        // A backslash at the end escapes nothing: it is itself (PostgreSQL refuses the pattern).
        if escaped { elements.append(.scalar("\\")) }
        self.elements = elements
        if pattern.utf8.allSatisfy({ $0 < 0x80 }) {
            asciiElements = elements.map { element in
                switch element {
                case .any: return .any
                case .one: return .one
                case .scalar(let c): return .byte(UInt8(c.value))
                }
            }
        } else {
            asciiElements = nil
        }
    }

    public func matches(_ text: String) -> Bool {
        if let asciiElements, text.utf8.allSatisfy({ $0 < 0x80 }) {
            let bytes = text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
            return Self.match(bytes, asciiElements, isAny: { $0 == .any }) { element, byte in
                switch element {
                case .any: return false
                case .one: return true
                case .byte(let b): return b == byte
                }
            }
        }
        return Self.match(text.unicodeScalars.map(Self.folded), elements, isAny: { $0 == .any }) { element, scalar in
            switch element {
            case .any: return false
            case .one: return true
            case .scalar(let c): return c == scalar
            }
        }
    }

    /// A code point's lower case where that is one code point, else itself: folding the
    /// string whole would make `İ` two (`i` and a dot), and `_` would no longer match it. Final
    /// sigma folds to sigma, as case folding has it, so `'ΣΊΣΥΦΟΣ'` matches `'σίσυφος'`.
    private static func folded(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        if scalar == "\u{3C2}" { return "\u{3C3}" }
        let lower = scalar.properties.lowercaseMapping.unicodeScalars
        return lower.count == 1 ? lower.first! : scalar
    }

    /// Wildcard matching with one saved `%` position: on a mismatch, the last `%` absorbs one
    /// more item and matching resumes after it.
    private static func match<Item, Pattern>(_ items: [Item], _ pattern: [Pattern], isAny: (Pattern) -> Bool,
                                             matchesOne: (Pattern, Item) -> Bool) -> Bool {
        var t = 0, p = 0
        var starP = -1, starT = 0
        while t < items.count {
            if p < pattern.count {
                if isAny(pattern[p]) {
                    starP = p; starT = t; p += 1
                    continue
                }
                if matchesOne(pattern[p], items[t]) { t += 1; p += 1; continue }
            }
            guard starP >= 0 else { return false }
            p = starP + 1
            starT += 1
            t = starT
        }
        while p < pattern.count, isAny(pattern[p]) { p += 1 }
        return p == pattern.count
    }
}
