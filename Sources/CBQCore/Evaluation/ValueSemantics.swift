/// How values compare and match, in one place: the sandbox applies the API's filters with these
/// functions and the executor applies local predicates with them, so a predicate gives the same
/// rows wherever it runs.
///
/// - Comparisons follow the attribute's type: numbers numerically, strings (and ISO 8601
///   timestamps) by their UTF-8 bytes, booleans from `true`/`false`, with false before true.
/// - Equality of strings is exact and case-sensitive.
/// - NULL compares as unknown (nil), as in SQL: `neq` does not match a null.
/// - LIKE is case-insensitive and matches the whole value; `%` is any run of characters and
///   `_` exactly one.
public enum ValueSemantics {
    /// Orders an attribute against a filter's text, read as the attribute's type. nil when the
    /// answer is unknown: a null attribute, text that is not of the attribute's type, or an
    /// array or object.
    public static func compare(_ attribute: JSONValue, toText text: String) -> Int? {
        switch attribute {
        case .null, .array, .object:
            return nil
        case .number(let number):
            guard let other = Double(text), other.isFinite else { return nil }
            return number < other ? -1 : number > other ? 1 : 0
        case .string(let string):
            return compareBytes(string, text)
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
        case (.string(let a), .string(let b)): return compareBytes(a, b)
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

    private static func compareBytes(_ a: String, _ b: String) -> Int {
        if a == b { return 0 }
        return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
    }
}

/// A compiled LIKE pattern. Matching is linear-time backtracking over characters (no recursion),
/// so a hostile pattern like `%a%a%a%…b` cannot blow up.
public struct LikePattern: Sendable {
    private enum Element: Equatable { case any, one, character(Character) }
    private let elements: [Element]

    public init(_ pattern: String) {
        var elements: [Element] = []
        for character in pattern.lowercased() {
            switch character {
            case "%": if elements.last != .any { elements.append(.any) }
            case "_": elements.append(.one)
            default: elements.append(.character(character))
            }
        }
        self.elements = elements
    }

    public func matches(_ text: String) -> Bool {
        let characters = Array(text.lowercased())
        var t = 0, p = 0
        var starP = -1, starT = 0
        while t < characters.count {
            if p < elements.count {
                switch elements[p] {
                case .any:
                    starP = p; starT = t; p += 1
                    continue
                case .one:
                    t += 1; p += 1
                    continue
                case .character(let c) where c == characters[t]:
                    t += 1; p += 1
                    continue
                default:
                    break
                }
            }
            guard starP >= 0 else { return false }
            p = starP + 1
            starT += 1
            t = starT
        }
        while p < elements.count, elements[p] == .any { p += 1 }
        return p == elements.count
    }
}
