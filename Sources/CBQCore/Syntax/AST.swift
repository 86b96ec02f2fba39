/// The syntax tree. Every node keeps the source range it was parsed from, so later stages
/// (planner, executor, API errors) can point at the text the user wrote.

/// A statement, as parsed from one `;`-separated piece of a script: one case per kind, so
/// each stage switches on what the statement is (writes will be cases of their own).
public indirect enum Statement: Hashable, Sendable {
    case select(SelectStatement)
    /// `EXPLAIN <statement>`: plan it and print the plan instead of running it.
    case explain(Statement, range: SourceRange)

    public var range: SourceRange {
        switch self {
        case .select(let select): return select.range
        case .explain(_, let range): return range
        }
    }
}

/// `SELECT … FROM service.endpoint [WHERE …] [ORDER BY …] [LIMIT n] [OFFSET n]`
public struct SelectStatement: Hashable, Sendable {
    public var items: SelectList
    public var source: TableReference
    public var filter: Expression?
    public var ordering: [OrderKey]
    public var limit: CountClause?
    public var offset: CountClause?
    public var range: SourceRange
}

public enum SelectList: Hashable, Sendable {
    case all(range: SourceRange)
    case columns([SelectItem])
    case countAll(alias: String?, range: SourceRange)
}

public struct SelectItem: Hashable, Sendable {
    public var column: Identifier
    public var alias: Identifier?

    /// The name the result column gets: the alias if given, else the column's name.
    public var outputName: String { alias?.name ?? column.name }
}

/// A name as written, without its quotes.
public struct Identifier: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var range: SourceRange
    public var description: String { name }
}

/// `service.endpoint`, e.g. `people.people` → `/people/people`.
public struct TableReference: Hashable, Sendable, CustomStringConvertible {
    public var service: Identifier
    public var endpoint: Identifier
    public var range: SourceRange
    public var description: String { "\(service.name).\(endpoint.name)" }
}

public struct OrderKey: Hashable, Sendable {
    public var column: Identifier
    public var descending: Bool
    public var range: SourceRange
}

/// The operand of LIMIT or OFFSET: a whole number, or a parameter bound to one.
public enum CountClause: Hashable, Sendable {
    case literal(Int, range: SourceRange)
    case parameter(String, range: SourceRange)

    public var range: SourceRange {
        switch self {
        case .literal(_, let range), .parameter(_, let range): return range
        }
    }
}

/// A literal value. Numbers keep their spelling, so `1.50` is sent as `1.50`.
public enum Literal: Hashable, Sendable, CustomStringConvertible {
    case string(String)
    case number(String)
    case boolean(Bool)
    case null

    /// How the value is written in a query parameter: strings as they are, numbers as written,
    /// booleans as `true`/`false`, NULL as `null`.
    public var parameterText: String {
        switch self {
        case .string(let text): return text
        case .number(let spelling): return spelling
        case .boolean(let value): return value ? "true" : "false"
        case .null: return "null"
        }
    }

    /// The literal in SQL syntax: `'O''Brien'`, `42`, `TRUE`, `NULL`.
    public var description: String {
        switch self {
        case .string(let text): return "'" + text.replacing("'", with: "''") + "'"
        case .number(let spelling): return spelling
        case .boolean(let value): return value ? "TRUE" : "FALSE"
        case .null: return "NULL"
        }
    }
}

/// Comparison operators, with their source spelling as raw value.
public enum ComparisonOperator: String, Hashable, Sendable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="

    /// The operator that gives the same answer with its operands swapped: `18 <= age` is `age >= 18`.
    public var mirrored: ComparisonOperator {
        switch self {
        case .equal, .notEqual: return self
        case .less: return .greater
        case .lessOrEqual: return .greaterOrEqual
        case .greater: return .less
        case .greaterOrEqual: return .lessOrEqual
        }
    }
}

/// An expression in WHERE. Conditions (comparisons, AND, …) and values (columns, literals)
/// share one type, as in SQL; the parser makes sure a condition stands where one is needed.
public indirect enum Expression: Hashable, Sendable {
    case column(Identifier)
    case literal(Literal, range: SourceRange)
    case parameter(String, range: SourceRange)
    case comparison(Expression, ComparisonOperator, Expression, range: SourceRange)
    case like(Expression, pattern: Expression, negated: Bool, range: SourceRange)
    case isNull(Expression, negated: Bool, range: SourceRange)
    case inList(Expression, [Expression], negated: Bool, range: SourceRange)
    case between(Expression, low: Expression, high: Expression, negated: Bool, range: SourceRange)
    case not(Expression, range: SourceRange)
    case and(Expression, Expression)
    case or(Expression, Expression)
    /// Parentheses are kept, so a printed expression reads as it was written.
    case grouped(Expression, range: SourceRange)

    public var range: SourceRange {
        switch self {
        case .column(let identifier): return identifier.range
        case .literal(_, let range), .parameter(_, let range), .comparison(_, _, _, let range),
            .like(_, _, _, let range), .isNull(_, _, let range), .inList(_, _, _, let range),
            .between(_, _, _, _, let range), .not(_, let range), .grouped(_, let range):
            return range
        case .and(let left, let right), .or(let left, let right):
            return left.range.union(right.range)
        }
    }

    /// True for expressions that yield true, false or unknown (usable in WHERE, AND, OR, NOT).
    public var isCondition: Bool {
        switch self {
        case .comparison, .like, .isNull, .inList, .between, .not, .and, .or: return true
        case .literal(.boolean, _), .literal(.null, _): return true
        case .grouped(let inner, _): return inner.isCondition
        case .column, .literal, .parameter: return false
        }
    }

    /// The expression without any enclosing parentheses.
    public var ungrouped: Expression {
        if case .grouped(let inner, _) = self { return inner.ungrouped }
        return self
    }

    /// The top-level AND operands, left to right: `a AND (b AND c)` → [a, b, c].
    public var conjuncts: [Expression] {
        switch self.ungrouped {
        case .and(let left, let right): return left.conjuncts + right.conjuncts
        default: return [self]
        }
    }

    /// Every column the expression reads, in order of appearance, without repeats.
    public var columnNames: [String] {
        var names: [String] = []
        func visit(_ expression: Expression) {
            switch expression {
            case .column(let identifier): if !names.contains(identifier.name) { names.append(identifier.name) }
            case .literal, .parameter: break
            case .comparison(let left, _, let right, _), .and(let left, let right), .or(let left, let right):
                visit(left); visit(right)
            case .like(let value, let pattern, _, _): visit(value); visit(pattern)
            case .isNull(let value, _, _), .not(let value, _), .grouped(let value, _): visit(value)
            case .inList(let value, let list, _, _): visit(value); list.forEach(visit)
            case .between(let value, let low, let high, _, _): visit(value); visit(low); visit(high)
            }
        }
        visit(self)
        return names
    }
}

extension Expression: CustomStringConvertible {
    /// The expression in SQL, normalised (keywords upper case, literals quoted), e.g.
    /// `last_name LIKE 'Doe' AND (age < 18 OR age IS NULL)`.
    public var description: String {
        switch self {
        case .column(let identifier): return quoteIdentifierIfNeeded(identifier.name)
        case .literal(let literal, _): return literal.description
        case .parameter(let name, _): return ":" + name
        case .comparison(let left, let op, let right, _): return "\(left) \(op.rawValue) \(right)"
        case .like(let value, let pattern, let negated, _): return "\(value) \(negated ? "NOT LIKE" : "LIKE") \(pattern)"
        case .isNull(let value, let negated, _): return "\(value) IS \(negated ? "NOT NULL" : "NULL")"
        case .inList(let value, let list, let negated, _):
            return "\(value) \(negated ? "NOT IN" : "IN") (\(list.map(\.description).joined(separator: ", ")))"
        case .between(let value, let low, let high, let negated, _):
            return "\(value) \(negated ? "NOT BETWEEN" : "BETWEEN") \(low) AND \(high)"
        case .not(let inner, _): return "NOT \(inner)"
        case .and(let left, let right): return "\(left) AND \(right)"
        case .or(let left, let right): return "\(left) OR \(right)"
        case .grouped(let inner, _): return "(\(inner))"
        }
    }
}

/// `last_name` stays bare; `Last Name` and `order` need quotes to be read back as names.
public func quoteIdentifierIfNeeded(_ name: String) -> String {
    let bytes = Array(name.utf8)
    let plain = !bytes.isEmpty && isIdentifierStart(bytes[0]) && bytes.allSatisfy(isIdentifierPart)
        && Keyword(word: name) == nil
    return plain ? name : "\"" + name.replacing("\"", with: "\"\"") + "\""
}
