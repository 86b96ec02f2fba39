/// The scalar functions, by lower-case name. Text functions count Unicode scalars (`'a\r\nb'`
/// has length 4) and change case by Unicode's rules (`lower('ZOË')` is `'zoë'`); `substr`
/// follows SQLite exactly, negative positions included.
struct ScalarFunction: Sendable {
    /// How many arguments it takes.
    let arity: ClosedRange<Int>
    /// NULL in, NULL out (every function but coalesce and nullif).
    let strict: Bool
    let apply: @Sendable ([SQLValue], ScalarFunction.Call) throws(Diagnostic) -> SQLValue

    struct Call: Sendable {
        var name: String
        var range: SourceRange
        var argumentRanges: [SourceRange]
        var now: Instant
    }

    static func named(_ name: String) -> ScalarFunction? { table[name] }

    /// Every function name, for did-you-mean.
    static var names: [String] { table.keys.sorted() + AggregateKind.allCases.map(\.rawValue) + ["cast", "extract"] }

    private static func text(_ function: @escaping @Sendable (String) -> String) -> ScalarFunction {
        ScalarFunction(arity: 1...1, strict: true) { arguments, _ in .text(function(arguments[0].description)) }
    }

    static let table: [String: ScalarFunction] = [
        "lower": text { $0.lowercased() },
        "upper": text { $0.uppercased() },
        "length": ScalarFunction(arity: 1...1, strict: true) { arguments, _ in .integer(arguments[0].description.unicodeScalars.count) },
        "trim": trim(leading: true, trailing: true),
        "ltrim": trim(leading: true, trailing: false),
        "rtrim": trim(leading: false, trailing: true),
        "substr": substr,
        "substring": substr,
        "replace": ScalarFunction(arity: 3...3, strict: true) { arguments, _ in
            let (text, from, to) = (arguments[0].description, arguments[1].description, arguments[2].description)
            return .text(from.isEmpty ? text : replacingScalars(text, from, to))
        },
        "coalesce": ScalarFunction(arity: 1...100, strict: false) { arguments, _ in arguments.first { !$0.isNull } ?? .null },
        "nullif": ScalarFunction(arity: 2...2, strict: false) { arguments, _ in
            Operations.compare(arguments[0], arguments[1], constant: .none) == 0 ? .null : arguments[0]
        },
        "abs": ScalarFunction(arity: 1...1, strict: true) { arguments, call throws(Diagnostic) in
            let value = try Operations.number(arguments[0], .subtract, at: call.argumentRanges[0])
            switch value {
            case .integer(let x):
                guard x != .min else { throw Diagnostic.integerOverflow(at: call.range) }
                return .integer(abs(x))
            case .decimal(let x):
                guard x.significand != .min else { return .real(abs(x.double)) }
                return .decimal(ExactDecimal(significand: abs(x.significand), scale: x.scale))
            case .real(let x): return .real(abs(x))
            }
        },
        "round": ScalarFunction(arity: 1...2, strict: true) { arguments, call throws(Diagnostic) in
            var digits = 0
            if arguments.count == 2 {
                guard case .integer(let d) = try Operations.number(arguments[1], .add, at: call.argumentRanges[1]) else {
                    throw Diagnostic.functionArgument("round", "the number of digits must be a whole number", at: call.argumentRanges[1])
                }
                digits = max(-18, min(d, 18))
            }
            switch try Operations.number(arguments[0], .add, at: call.argumentRanges[0]) {
            case .integer(let x):
                guard digits < 0 else { return .integer(x) }
                guard let rounded = x.roundedToTens(-digits) else { throw Diagnostic.integerOverflow(at: call.range) }
                return .integer(rounded)
            case .decimal(let x):
                guard let rounded = x.rounded(digits: digits) else { throw Diagnostic.decimalOverflow(at: call.range) }
                return .decimal(rounded)
            case .real(let x):
                // Round the decimal the double prints as, so round(2.675, 2) is 2.68 here too.
                if let exact = ExactDecimal(JSONValue.format(x)), let rounded = exact.rounded(digits: digits) { return .decimal(rounded) }
                let scale = Double(ExactDecimal.powers[min(abs(digits), 18)])
                return .real(digits >= 0 ? (x * scale).rounded(.toNearestOrAwayFromZero) / scale
                                         : (x / scale).rounded(.toNearestOrAwayFromZero) * scale)
            }
        },
        "date": ScalarFunction(arity: 1...1, strict: true) { arguments, call throws(Diagnostic) in
            .text(try instant(arguments[0], call, 0).asDate.text)
        },
        "date_trunc": ScalarFunction(arity: 2...2, strict: true) { arguments, call throws(Diagnostic) in
            let unitName = arguments[0].description.lowercased()
            let quarter = unitName == "quarter"
            guard let unit = quarter ? .month : IntervalLiteral.Unit(rawValue: unitName) else {
                throw Diagnostic.functionArgument("date_trunc", "the unit must be one of second, minute, hour, day, week, month, quarter, year",
                                                  at: call.argumentRanges[0])
            }
            return .text(try instant(arguments[1], call, 1).truncated(to: unit, quarter: quarter).text)
        },
        "extract": ScalarFunction(arity: 2...2, strict: true) { arguments, call throws(Diagnostic) in
            // `extract(field FROM x)` is parsed into this call; a quoted "extract"(…) is not.
            guard let field = DateField(rawValue: arguments[0].description.lowercased()) else {
                throw Diagnostic.functionArgument("extract", "the field must be one of " + DateField.allCases.map(\.rawValue).joined(separator: ", "),
                                                  at: call.argumentRanges[0])
            }
            return .integer(try instant(arguments[1], call, 1).field(field))
        },
        "now": ScalarFunction(arity: 0...0, strict: true) { _, call in .text(call.now.asTimestamp.text) },
        "current_timestamp": ScalarFunction(arity: 0...0, strict: true) { _, call in .text(call.now.asTimestamp.text) },
        "current_date": ScalarFunction(arity: 0...0, strict: true) { _, call in .text(call.now.asDate.text) },
    ]

    private static func instant(_ value: SQLValue, _ call: Call, _ index: Int) throws(Diagnostic) -> Instant {
        guard case .text(let text) = value, let instant = Instant(text) else {
            throw Diagnostic.notATimestamp(value, function: call.name, at: call.argumentRanges[index])
        }
        return instant
    }

    private static func trim(leading: Bool, trailing: Bool) -> ScalarFunction {
        ScalarFunction(arity: 1...2, strict: true) { arguments, _ in
            let characters = arguments.count == 2 ? Set(arguments[1].description.unicodeScalars) : [" "]
            var scalars = Substring(arguments[0].description).unicodeScalars
            while leading, let first = scalars.first, characters.contains(first) { scalars.removeFirst() }
            while trailing, let last = scalars.last, characters.contains(last) { scalars.removeLast() }
            return .text(String(scalars))
        }
    }

    /// SQLite's substr(X, Y[, Z]), counted in Unicode scalars.
    private static let substr = ScalarFunction(arity: 2...3, strict: true) { arguments, call throws(Diagnostic) in
        let scalars = Array(arguments[0].description.unicodeScalars)
        func whole(_ index: Int) throws(Diagnostic) -> Int {
            guard case .integer(let value) = try Operations.number(arguments[index], .add, at: call.argumentRanges[index]) else {
                throw Diagnostic.functionArgument(call.name, "positions and lengths are whole numbers", at: call.argumentRanges[index])
            }
            return value
        }
        let length = scalars.count
        var p1 = try whole(1)
        var p2 = arguments.count == 3 ? try whole(2) : Int.max / 4
        var negativeLength = false
        if p2 < 0 { p2 = p2 == .min ? Int.max / 4 : -p2; negativeLength = true }
        p1 = max(min(p1, Int.max / 4), -(Int.max / 4))
        p2 = min(p2, Int.max / 4)
        if p1 < 0 {
            p1 += length
            if p1 < 0 { p2 += p1; if p2 < 0 { p2 = 0 }; p1 = 0 }
        } else if p1 > 0 {
            p1 -= 1
        } else if p2 > 0 {
            p2 -= 1
        }
        if negativeLength {
            p1 -= p2
            if p1 < 0 { p2 += p1; p1 = 0 }
        }
        let start = min(p1, length), end = min(length, start + max(0, p2))
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars[start..<end])
        return .text(String(result))
    }
}

/// The names of every function and aggregate, and the words that are keywords only where
/// they stand: what the shell offers on Tab.
public enum SQLVocabulary {
    public static var functions: [String] { ScalarFunction.names }
    public static let contextualWords = ["INTERVAL", "NULLS", "FIRST", "LAST", "ANALYZE", "CURRENT_DATE", "CURRENT_TIMESTAMP",
                                         "INSERT", "INTO", "VALUES", "UPDATE", "SET", "DELETE", "RETURNING"]
}

/// `replace(text, from, to)` by code points, as PostgreSQL and SQLite do, where Swift's own
/// `replacing` matches whole characters: `\r` alone was not found in `\r\n`, nor `e` in a
/// decomposed `é`, and a precomposed `é` was found for a decomposed one.
func replacingScalars(_ text: String, _ from: String, _ to: String) -> String {
    let source = Array(text.unicodeScalars), pattern = Array(from.unicodeScalars)
    guard pattern.count <= source.count else { return text }
    var result = String.UnicodeScalarView()
    var index = 0
    while index < source.count {
        if index + pattern.count <= source.count, source[index] == pattern[0], Array(source[index..<index + pattern.count]) == pattern {
            result.append(contentsOf: to.unicodeScalars)
            index += pattern.count
        } else {
            result.append(source[index])
            index += 1
        }
    }
    return String(result)
}
