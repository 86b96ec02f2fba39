/// One aggregate of a group: it sees each row's argument and holds only what its answer
/// needs (a count, a running sum, the least value so far), never the rows.
public struct Accumulator: Sendable {
    public let kind: AggregateKind
    let distinct: Bool
    let range: SourceRange
    private var count = 0
    private var sum: Numeric?
    private var best: SQLValue = .null
    private var seen: Set<GroupValue>?

    public init(_ kind: AggregateKind, distinct: Bool, range: SourceRange) {
        self.kind = kind
        self.distinct = distinct
        self.range = range
        if distinct { seen = [] }
    }

    /// Adds one row's argument (`COUNT(*)` passes TRUE for every row).
    public mutating func add(_ value: SQLValue) throws(Diagnostic) {
        if value.isNull { return }
        if distinct, seen!.insert(GroupValue(value)).inserted == false { return }
        count += 1
        switch kind {
        case .count: break
        case .sum, .avg:
            let number: Numeric
            if let numeric = value.numeric { number = numeric }
            else if case .text(let text) = value, let numeric = Numeric(text: text) { number = numeric }
            else { throw Diagnostic.aggregateOfNonNumber(kind, value, at: range) }
            guard let total = sum else { sum = number; return }
            sum = try Self.add(total, number, exactIntegers: kind == .sum, at: range)
        case .min:
            if best.isNull || SQLValue.order(value, best) < 0 { best = value }
        case .max:
            if best.isNull || SQLValue.order(value, best) > 0 { best = value }
        }
    }

    /// The answer: COUNT of nothing is 0; SUM, AVG, MIN and MAX of nothing are NULL.
    public var result: SQLValue {
        switch kind {
        case .count: return .integer(count)
        case .sum: return sum?.value ?? .null
        case .avg:
            guard let sum, count > 0 else { return .null }
            return .real(sum.double / Double(count))
        case .min, .max: return best
        }
    }

    /// SUM keeps integers exact (overflow is an error, as in SQLite) and decimals exact while
    /// they fit in 18 digits (then a double: decimals from JSON floats have many places); AVG
    /// only needs a good double, so its integers may fall back to one.
    private static func add(_ a: Numeric, _ b: Numeric, exactIntegers: Bool, at range: SourceRange) throws(Diagnostic) -> Numeric {
        switch (a, b) {
        case (.integer(let x), .integer(let y)):
            let (total, overflow) = x.addingReportingOverflow(y)
            if !overflow { return .integer(total) }
            if exactIntegers { throw Diagnostic.integerOverflow(at: range) }
            return .real(Double(x) + Double(y))
        case (.real, _), (_, .real):
            let total = a.double + b.double
            if !total.isFinite && a.double.isFinite && b.double.isFinite { throw Diagnostic.floatOverflow(at: range) }
            return .real(total)
        default:
            if let x = a.decimal, let y = b.decimal, let total = x + y { return .decimal(total) }
            return .real(a.double + b.double)
        }
    }
}
