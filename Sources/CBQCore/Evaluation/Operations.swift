/// The operators on ``SQLValue``s: comparison (with the API's rule for constants), arithmetic
/// that is exact or fails, and CAST. Errors are ``Diagnostic``s at the expression.
enum Operations {
    // MARK: - Comparison

    /// Which side of a comparison is a constant: a constant is read as the other side's type,
    /// as the API reads a filter's text (`age > '9'` compares numbers, `zip = 02134` compares
    /// text). A number constant keeps its spelling for that: `02134` is not `2134` as text.
    enum Constant { case none, left(spelling: String?), right(spelling: String?) }

    /// Orders `a` against `b`; nil when unknown (a NULL, or values of types that do not compare).
    static func compare(_ a: SQLValue, _ b: SQLValue, constant: Constant) -> Int? {
        if a.isNull || b.isNull { return nil }
        switch constant {
        case .left(let spelling): return reading(b, a, spelling: spelling).map { -$0 }
        case .right(let spelling): return reading(a, b, spelling: spelling)
        case .none:
            // Neither is a constant: the answer must not depend on which is written first, so
            // text meets a number or a boolean as that type (`'10' > 9` as `9 < '10'`).
            if case .text = a, !b.isText { return reading(b, a).map { -$0 } }
            return reading(a, b)
        }
    }

    /// As ``compare(_:_:constant:)``, where two values that are not NULL but do not compare
    /// (a boolean and a number, a number and text that is not one) are an error at `range`:
    /// read as unknown, a typo (`capacity > '2O'`) or a mistaken type (`archived = 1`) would
    /// silently match no row, and its NOT every row.
    static func order(_ a: SQLValue, _ b: SQLValue, constant: Constant, at range: SourceRange) throws(Diagnostic) -> Int? {
        if a.isNull || b.isNull { return nil }
        if let order = compare(a, b, constant: constant) { return order }
        if case .nested = a { return nil }
        if case .nested = b { return nil }
        if case .text(let text) = a, b.isNumber, Numeric(text: text) != nil { throw Diagnostic.textOrNumber(a, b, at: range) }
        if case .text(let text) = b, a.isNumber, Numeric(text: text) != nil { throw Diagnostic.textOrNumber(b, a, at: range) }
        throw Diagnostic.incomparable(a, b, at: range)
    }

    /// `a` against `b` read as `a`'s type, when their types differ (ValueSemantics' rule);
    /// `spelling` is `b`'s text as written, when it is a literal number.
    static func reading(_ a: SQLValue, _ b: SQLValue, spelling: String? = nil) -> Int? {
        switch (a, b) {
        case (.text(let x), .text(let y)): return ValueSemantics.compareText(x, y)
        case (.text(let x), _):
            guard b.isNumber || isBoolean(b) else { return nil }
            let asText = ValueSemantics.compareBytes(x, spelling ?? b.description)
            // Text that spells a number may be one a server sends as text (a decimal as
            // "10.00"), which its filters compare as numbers: where reading it as text and as a
            // number disagree ("10.00" > 9.75 as a number, not as text), there is no answer.
            if b.isNumber, let number = Numeric(text: x), Numeric.compare(number, b.numeric!).signum() != asText.signum() { return nil }
            return asText
        case (.boolean(let x), .boolean(let y)): return x == y ? 0 : (x ? 1 : -1)
        case (.boolean(let x), .text(let y)):
            switch y.lowercased() {
            case "true": return x ? 0 : -1
            case "false": return x ? 1 : 0
            default: return nil
            }
        case (.integer, _), (.decimal, _), (.real, _):
            if let y = b.numeric { return Numeric.compare(a.numeric!, y) }
            if case .text(let text) = b, let y = Numeric(text: text) { return Numeric.compare(a.numeric!, y) }
            return nil
        default: return nil
        }
    }

    private static func isBoolean(_ value: SQLValue) -> Bool { if case .boolean = value { true } else { false } }

    static func satisfies(_ order: Int?, _ op: ComparisonOperator) -> SQLValue {
        guard let order else { return .null }
        return .boolean(ValueSemantics.satisfies(order, op))
    }

    // MARK: - Arithmetic

    static func arithmetic(_ op: BinaryOperator, _ a: SQLValue, _ b: SQLValue, at range: SourceRange) throws(Diagnostic) -> SQLValue {
        if a.isNull || b.isNull { return .null }
        if op == .concatenate { return .text(a.description + b.description) }
        if op == .subtract, case .text(let x) = a, case .text(let y) = b, let start = Instant(y), let end = Instant(x) {
            guard start.isDate, end.isDate else { throw Diagnostic.timestampSubtraction(at: range) }
            return .integer(end.days - start.days)
        }
        let x = try number(a, op, at: range), y = try number(b, op, at: range)
        switch (x, y) {
        case (.integer(let l), .integer(let r)):
            let result: (Int, Bool)
            switch op {
            case .add: result = l.addingReportingOverflow(r)
            case .subtract: result = l.subtractingReportingOverflow(r)
            case .multiply: result = l.multipliedReportingOverflow(by: r)
            case .divide, .remainder:
                guard r != 0 else { throw Diagnostic.divisionByZero(at: range) }
                result = op == .divide ? l.dividedReportingOverflow(by: r) : l.remainderReportingOverflow(dividingBy: r)
            case .concatenate: fatalError("handled above")
            }
            if result.1 { throw Diagnostic.integerOverflow(at: range) }
            return .integer(result.0)
        default:
            if op == .divide || op == .remainder {
                guard y.double != 0 else { throw Diagnostic.divisionByZero(at: range) }
            }
            if let l = x.decimal, let r = y.decimal {
                let exact: ExactDecimal?
                switch op {
                case .add: exact = l + r
                case .subtract: exact = (-r).flatMap { l + $0 }
                case .multiply: exact = l * r
                case .remainder: exact = l % r
                default: exact = nil
                }
                if let exact { return .decimal(exact) }
                // Past 18 digits, a double: decimals from JSON floats (0.30000000000000004) have
                // so many places that exact products and sums of them soon need more.
            }
            let l = x.double, r = y.double
            let result: Double
            switch op {
            case .add: result = l + r
            case .subtract: result = l - r
            case .multiply: result = l * r
            case .divide: result = l / r
            case .remainder: result = l.truncatingRemainder(dividingBy: r)
            case .concatenate: fatalError("handled above")
            }
            // Past a double's range: an error, as in PostgreSQL, not an infinity that JSON
            // would print as null and CSV as inf.
            if !result.isFinite && l.isFinite && r.isFinite { throw Diagnostic.floatOverflow(at: range) }
            return .real(result)
        }
    }

    static func negate(_ value: SQLValue, at range: SourceRange) throws(Diagnostic) -> SQLValue {
        if value.isNull { return .null }
        switch try number(value, .subtract, at: range) {
        case .integer(let x):
            guard x != .min else { throw Diagnostic.integerOverflow(at: range) }
            return .integer(-x)
        case .decimal(let x): return (-x).map(SQLValue.decimal) ?? .real(-x.double)
        case .real(let x): return .real(-x)
        }
    }

    /// A number, or text that reads as one; anything else cannot take part in arithmetic.
    static func number(_ value: SQLValue, _ op: BinaryOperator, at range: SourceRange) throws(Diagnostic) -> Numeric {
        if let numeric = value.numeric { return numeric }
        if case .text(let text) = value, let numeric = Numeric(text: text) { return numeric }
        throw Diagnostic.notANumber(value, op: op.rawValue, at: range)
    }

    // MARK: - CAST

    static func cast(_ value: SQLValue, to type: SQLType, at range: SourceRange) throws(Diagnostic) -> SQLValue {
        if value.isNull { return .null }
        func fail() -> Diagnostic { Diagnostic.cannotCast(value, to: type, at: range) }
        switch type {
        case .text: return .text(value.description)
        case .integer:
            switch value {
            case .integer: return value
            case .boolean(let flag): return .integer(flag ? 1 : 0)
            case .decimal(let d): return .integer(d.significand / ExactDecimal.powers[d.scale])
            case .real(let r):
                guard r.isFinite, let whole = Int(exactly: r.rounded(.towardZero)) else { throw fail() }
                return .integer(whole)
            case .text(let text):
                guard let numeric = Numeric(text: text.trimmingSpaces) else { throw fail() }
                return try cast(numeric.value, to: .integer, at: range)
            default: throw fail()
            }
        case .decimal:
            // An integer becomes a decimal (so that `/` divides as decimals do, not truncating);
            // a double keeps its shortest spelling's digits where they fit.
            switch value {
            case .integer(let x): return .decimal(ExactDecimal(significand: x, scale: 0))
            case .decimal: return value
            case .real(let r):
                guard r.isFinite else { throw fail() }
                let spelling = JSONValue.format(r)
                if !spelling.contains("e"), let exact = ExactDecimal(spelling) { return .decimal(exact) }
                return value
            case .text(let text):
                guard let numeric = Numeric(text: text.trimmingSpaces) else { throw fail() }
                return try cast(numeric.value, to: .decimal, at: range)
            default: throw fail()
            }
        case .double:
            switch value {
            case .integer, .decimal, .real: return .real(value.numeric!.exactDouble)
            case .text(let text):
                guard let numeric = Numeric(text: text.trimmingSpaces) else { throw fail() }
                return .real(numeric.exactDouble)
            default: throw fail()
            }
        case .boolean:
            switch value {
            case .boolean: return value
            case .integer(let x): return .boolean(x != 0)
            case .text(let text):
                switch text.trimmingSpaces.lowercased() {
                case "true", "t", "yes", "y", "1", "on": return .boolean(true)
                case "false", "f", "no", "n", "0", "off": return .boolean(false)
                default: throw fail()
                }
            default: throw fail()
            }
        case .date, .timestamp:
            guard case .text(let text) = value, let instant = Instant(text) else { throw fail() }
            return .text(type == .date ? instant.asDate.text : instant.asTimestamp.text)
        }
    }
}

extension String {
    /// Without leading and trailing spaces (only spaces: SQL's TRIM).
    var trimmingSpaces: String {
        var slice = Substring(self)
        while slice.first == " " { slice.removeFirst() }
        while slice.last == " " { slice.removeLast() }
        return String(slice)
    }
}
