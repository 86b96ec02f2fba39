/// A value as the local engine computes with it. Integers are exact 64-bit; decimals keep
/// their digits (``ExactDecimal``); dates and timestamps are ISO 8601 text, as the API sends
/// them; nested JSON (arrays, objects) is kept as its JSON text.
public enum SQLValue: Sendable, CustomStringConvertible {
    case null
    case boolean(Bool)
    case integer(Int)
    case decimal(ExactDecimal)
    case real(Double)
    case text(String)
    /// An array or object, as compact JSON text.
    case nested(String)

    public var isNull: Bool { if case .null = self { true } else { false } }

    /// A JSON number's spelling, read exactly: `42` an integer, `1.50` a decimal, `1e3` (or
    /// anything too long for 64 bits) a double.
    public init<Bytes: Collection>(number bytes: Bytes) where Bytes.Element == UInt8 {
        var plain = true, point = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") { point = true } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { plain = false }
        }
        if plain, let decimal = ExactDecimal(spelling: bytes) {
            self = point ? .decimal(decimal) : .integer(decimal.significand)
            return
        }
        self = Double(String(decoding: bytes, as: UTF8.self)).map(SQLValue.real) ?? .null
    }

    /// A literal as written: numbers keep their spelling's precision.
    public init(_ literal: Literal) {
        switch literal {
        case .string(let text): self = .text(text)
        case .number(let spelling): self = SQLValue(number: Array(spelling.utf8))
        case .boolean(let flag): self = .boolean(flag)
        case .null: self = .null
        }
    }

    /// A decoded JSON value (the sandbox's, and tests').
    public init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let flag): self = .boolean(flag)
        case .number(let number):
            if let integer = Int(exactly: number), abs(number) < 1e15 { self = .integer(integer) } else { self = .real(number) }
        case .string(let text): self = .text(text)
        case .array, .object: self = .nested(JSONWriter.serialize(json))
        }
    }

    /// The value as text: how `||`, CAST(… AS TEXT) and table cells spell it. NULL is "NULL"
    /// here; callers test for it first.
    public var description: String {
        switch self {
        case .null: return "NULL"
        case .boolean(let flag): return flag ? "true" : "false"
        case .integer(let value): return String(value)
        case .decimal(let value): return value.description
        case .real(let value): return JSONValue.format(value)
        case .text(let text), .nested(let text): return text
        }
    }

    /// The text for a filter or a comparison with text: nil for NULL.
    public var text: String? { isNull ? nil : description }

    public var isText: Bool { if case .text = self { true } else { false } }

    public var isNumber: Bool {
        switch self {
        case .integer, .decimal, .real: return true
        default: return false
        }
    }

    /// The value as JSON: numbers as their digits, text quoted, nested JSON as it came.
    public func writeJSON(into buffer: inout [UInt8]) {
        switch self {
        case .null: buffer.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .boolean(let flag): buffer.append(contentsOf: Array((flag ? "true" : "false").utf8))
        case .integer, .decimal: buffer.append(contentsOf: Array(description.utf8))
        case .real(let value):
            if value.isFinite { buffer.append(contentsOf: Array(JSONValue.format(value).utf8)) }
            else { buffer.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C]) }
        case .text(let text): JSONWriter.writeString(text, into: &buffer)
        case .nested(let json): buffer.append(contentsOf: Array(json.utf8))
        }
    }
}

/// A number in one of its three exact-to-inexact forms, for arithmetic.
enum Numeric {
    case integer(Int)
    case decimal(ExactDecimal)
    case real(Double)

    var double: Double {
        switch self {
        case .integer(let value): return Double(value)
        case .decimal(let value): return value.double
        case .real(let value): return value
        }
    }

    /// The nearest double, rounded once (a decimal's ``double`` may round twice past 2^53).
    var exactDouble: Double {
        switch self {
        case .integer(let value): return Double(value)
        case .decimal(let value): return Double(value.description) ?? value.double
        case .real(let value): return value
        }
    }

    var decimal: ExactDecimal? {
        switch self {
        case .integer(let value): return ExactDecimal(significand: value, scale: 0)
        case .decimal(let value): return value
        case .real: return nil
        }
    }

    var value: SQLValue {
        switch self {
        case .integer(let value): return .integer(value)
        case .decimal(let value): return .decimal(value)
        case .real(let value): return .real(value)
        }
    }

    /// Reads text as a number the way a filter's text is read against a numeric attribute.
    init?(text: String) {
        let trimmed = text.utf8
        guard !trimmed.isEmpty else { return nil }
        switch SQLValue(number: Array(trimmed)) {
        case .integer(let value): self = .integer(value)
        case .decimal(let value): self = .decimal(value)
        case .real(let value) where value.isFinite:
            // Double() accepts "inf", "nan" and hex; a number's text does not.
            guard trimmed.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || [0x2B, 0x2D, 0x2E, 0x45, 0x65].contains($0) }) else { return nil }
            self = .real(value)
        default: return nil
        }
    }

    static func compare(_ a: Numeric, _ b: Numeric) -> Int {
        switch (a, b) {
        case (.integer(let x), .integer(let y)): return x < y ? -1 : x > y ? 1 : 0
        case (.real, _), (_, .real):
            let x = a.double, y = b.double
            return x < y ? -1 : x > y ? 1 : 0
        default: return ExactDecimal.compare(a.decimal!, b.decimal!)
        }
    }
}

extension SQLValue {
    /// Text that is a number's spelling (`42`, `-0.50`, `1e3`), as that number; nil otherwise.
    public static func numberFromText(_ text: String) -> SQLValue? { Numeric(text: text)?.value }

    var numeric: Numeric? {
        switch self {
        case .integer(let value): return .integer(value)
        case .decimal(let value): return .decimal(value)
        case .real(let value): return .real(value)
        default: return nil
        }
    }

    /// The value's kind, for the total order of ORDER BY, MIN and MAX: booleans, then
    /// numbers, then text, then nested JSON (SQLite orders numbers before text too).
    private var rank: Int {
        switch self {
        case .null: return 0
        case .boolean: return 1
        case .integer, .decimal, .real: return 2
        case .text: return 3
        case .nested: return 4
        }
    }

    /// A total order over non-NULL values, for sorting and MIN/MAX; NULL sorts before
    /// everything here (callers place NULLs as NULLS FIRST/LAST says).
    public static func order(_ a: SQLValue, _ b: SQLValue) -> Int {
        let ra = a.rank, rb = b.rank
        if ra != rb { return ra < rb ? -1 : 1 }
        switch (a, b) {
        case (.boolean(let x), .boolean(let y)): return x == y ? 0 : (x ? 1 : -1)
        // Dates and timestamps as instants, as `=` and `<` compare them.
        case (.text(let x), .text(let y)): return ValueSemantics.compareText(x, y)
        case (.nested(let x), .nested(let y)): return ValueSemantics.compareBytes(x, y)
        default:
            if let x = a.numeric, let y = b.numeric { return Numeric.compare(x, y) }
            return 0
        }
    }
}

/// A value as a group key or a DISTINCT row member: equal numbers are equal whatever their
/// form (`2`, `2.0`, `2.00`), as in SQL.
public struct GroupValue: Hashable, Sendable {
    public let value: SQLValue

    public init(_ value: SQLValue) { self.value = value }

    public static func == (a: GroupValue, b: GroupValue) -> Bool {
        switch (a.value, b.value) {
        case (.null, .null): return true
        case (.null, _), (_, .null): return false
        default: return SQLValue.order(a.value, b.value) == 0
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch value {
        case .null: hasher.combine(0)
        case .boolean(let flag): hasher.combine(flag)
        case .integer, .decimal, .real:
            // Integral numbers hash as their integer, others by their double: equal values
            // hash alike across forms.
            let numeric = value.numeric!
            if case .decimal(let d) = numeric, let whole = d.integerValue { hasher.combine(whole) }
            else if case .integer(let i) = numeric { hasher.combine(i) }
            else if let whole = Int(exactly: numeric.double) { hasher.combine(whole) }
            else { hasher.combine(numeric.double) }
        case .text(let text): ValueSemantics.hashTextKey(text, into: &hasher)
        case .nested(let text): hasher.combine(text)
        }
    }
}

extension SQLValue {
    /// The value as a literal, for folding constants into a plan; nil for nested JSON.
    public var literal: Literal? {
        switch self {
        case .null: return .null
        case .boolean(let flag): return .boolean(flag)
        case .integer, .decimal: return .number(description)
        case .real(let value): return value.isFinite ? .number(description) : nil
        case .text(let text): return .string(text)
        case .nested: return nil
        }
    }
}

extension SQLValue {
    /// A number's value as a double (nil for anything else): for orderings that may round.
    public var doubleValue: Double? { numeric?.double }
}

extension SQLValue {
    /// A key for hashing a join's equalities across text and numbers: values that cbq's `=`
    /// finds equal get equal keys (text that reads as a number keys as that number, so `'42'`
    /// meets `42`); unequal values may share one, so the caller checks each candidate with
    /// `=` itself. nil for what has no such key (booleans, nested values): no hashing then.
    ///
    /// Numbers key as the double nearest their exact value (Swift's `Double(String)` rounds
    /// correctly, so equal values, and text that reads as one, meet; a decimal's own `double`
    /// rounds twice past 2^53 and is not used here).
    public var joinKey: SQLValue? {
        switch self {
        case .null: return .null
        case .text(let text):
            guard Numeric(text: text) != nil else { return .text(ValueSemantics.textKey(text)) }
            return Double(text).map { .real($0) }
        case .integer(let value): return .real(Double(value))
        case .decimal(let value): return Double(value.description).map { .real($0) }
        case .real: return self
        case .boolean, .nested: return nil
        }
    }
}
