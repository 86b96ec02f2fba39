/// Evaluates a WHERE expression on one row with SQL's three-valued logic: true, false, or
/// unknown (nil). A row passes only when the result is true.
///
///     let row: [String: JSONValue] = ["last_name": "Doe", "age": 12]
///     PredicateEvaluator.evaluate(plan.localFilter!) { row[$0] ?? .null }   // true, false or nil
///
/// A column missing from the row reads as NULL. Parameters must be bound by the planner first;
/// an unbound one reads as NULL.
public enum PredicateEvaluator {
    public static func evaluate(_ expression: Expression, column: (String) -> JSONValue) -> Bool? {
        switch expression {
        case .grouped(let inner, _):
            return evaluate(inner, column: column)
        case .and(let left, let right):
            let l = evaluate(left, column: column)
            if l == false { return false }
            let r = evaluate(right, column: column)
            if r == false { return false }
            return (l == true && r == true) ? true : nil
        case .or(let left, let right):
            let l = evaluate(left, column: column)
            if l == true { return true }
            let r = evaluate(right, column: column)
            if r == true { return true }
            return (l == false && r == false) ? false : nil
        case .not(let inner, _):
            return evaluate(inner, column: column).map { !$0 }
        case .comparison(let left, let op, let right, _):
            return compare(operand(left, column), operand(right, column)).map { ValueSemantics.satisfies($0, op) }
        case .like(let subject, let pattern, let negated, _):
            guard let patternText = value(pattern, column).scalarText else { return nil }
            return ValueSemantics.like(value(subject, column), pattern: patternText).map { $0 != negated }
        case .isNull(let subject, let negated, _):
            return value(subject, column).isNull != negated
        case .inList(let subject, let items, let negated, _):
            let subjectValue = operand(subject, column)
            var sawUnknown = false
            for item in items {
                switch compare(subjectValue, operand(item, column)) {
                case 0?: return !negated
                case nil: sawUnknown = true
                default: continue
                }
            }
            return sawUnknown ? nil : negated
        case .between(let subject, let low, let high, let negated, _):
            let subjectValue = operand(subject, column)
            let aboveLow = compare(subjectValue, operand(low, column)).map { $0 >= 0 }
            let belowHigh = compare(subjectValue, operand(high, column)).map { $0 <= 0 }
            let inside: Bool?
            if aboveLow == false || belowHigh == false { inside = false }
            else if aboveLow == true && belowHigh == true { inside = true }
            else { inside = nil }
            return inside.map { $0 != negated }
        case .literal(.boolean(let flag), _):
            return flag
        case .literal, .column, .parameter:
            // Values in a condition's place are rejected by the parser; NULL is unknown.
            return nil
        }
    }

    /// A literal compares as the other side's type reads its text, as it would on the server.
    private enum Operand {
        case attribute(JSONValue)
        case literal(Literal)
    }

    private static func value(_ expression: Expression, _ column: (String) -> JSONValue) -> JSONValue {
        switch operand(expression, column) {
        case .attribute(let value): return value
        case .literal(let literal): return literal.jsonValue
        }
    }

    private static func operand(_ expression: Expression, _ column: (String) -> JSONValue) -> Operand {
        switch expression.ungrouped {
        case .column(let identifier): return .attribute(column(identifier.name))
        case .literal(let literal, _): return .literal(literal)
        default: return .literal(.null)
        }
    }

    /// An attribute against a literal: the literal's text read as the attribute's type, whichever
    /// side it stands on (`'9' < age` is `age > 9`, numerically, as the API would see it).
    private static func compare(_ left: Operand, _ right: Operand) -> Int? {
        switch (left, right) {
        case (.attribute(let a), .literal(let l)):
            return l == .null ? nil : ValueSemantics.compare(a, toText: l.parameterText)
        case (.literal(let l), .attribute(let a)):
            return l == .null ? nil : ValueSemantics.compare(a, toText: l.parameterText).map { -$0 }
        case (.attribute(let a), .attribute(let b)):
            return ValueSemantics.compare(a, b)
        case (.literal(let a), .literal(let b)):
            return ValueSemantics.compare(a.jsonValue, b.jsonValue)
        }
    }
}

extension Literal {
    /// The literal as the JSON value it stands for.
    public var jsonValue: JSONValue {
        switch self {
        case .string(let text): return .string(text)
        case .number(let spelling): return Double(spelling).map(JSONValue.number) ?? .string(spelling)
        case .boolean(let value): return .bool(value)
        case .null: return .null
        }
    }
}
