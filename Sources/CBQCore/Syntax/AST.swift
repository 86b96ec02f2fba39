/// The syntax tree. Every node keeps the source range it was parsed from, so later stages
/// (planner, executor, API errors) can point at the text the user wrote.

/// A statement, as parsed from one `;`-separated piece of a script: one case per kind, so
/// each stage switches on what the statement is.
public indirect enum Statement: Hashable, Sendable {
    case select(SelectStatement)
    /// `INSERT`, `UPDATE` or `DELETE`: POST, PATCH or DELETE requests.
    case write(WriteStatement)
    /// `EXPLAIN [ANALYZE] <statement>`: plan it and print the plan instead of running it, or
    /// (ANALYZE) run it and print the plan with what happened.
    case explain(Statement, analyze: Bool, range: SourceRange)

    /// Whether running it writes: a write, or EXPLAIN ANALYZE of one.
    public var writes: Bool {
        switch self {
        case .select: return false
        case .write: return true
        case .explain(let statement, let analyze, _): return analyze && statement.writes
        }
    }

    public var range: SourceRange {
        switch self {
        case .select(let select): return select.range
        case .write(let write): return write.range
        case .explain(_, _, let range): return range
        }
    }
}

/// `SELECT [DISTINCT] … FROM service.endpoint [WHERE …] [GROUP BY …] [HAVING …] [ORDER BY …]
/// [LIMIT n] [OFFSET n]`
public struct SelectStatement: Hashable, Sendable {
    public var distinct: Bool = false
    public var items: SelectList
    public var source: TableReference
    /// `JOIN …` and `, …` after the first table, in order.
    public var joins: [JoinClause] = []
    public var filter: Expression?
    public var grouping: [Expression] = []
    public var having: Expression?
    public var ordering: [OrderKey] = []
    public var limit: CountClause?
    public var offset: CountClause?
    public var range: SourceRange
}

public enum SelectList: Hashable, Sendable {
    case all(range: SourceRange)
    case items([SelectItem])
}

/// One item of the select list: an expression and its alias.
public struct SelectItem: Hashable, Sendable {
    public var expression: Expression
    public var alias: Identifier?
    public var range: SourceRange

    public init(expression: Expression, alias: Identifier? = nil, range: SourceRange? = nil) {
        self.expression = expression
        self.alias = alias
        self.range = range ?? expression.range
    }

    /// The name the result column gets: the alias if given, else a bare column's name, else
    /// the expression as written (white space folded), as SQLite names it.
    public func outputName(in source: SourceText) -> String {
        if let alias { return alias.name }
        if case .column(let column) = expression.ungrouped { return column.name }
        return source.slice(expression.range).split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
            .joined(separator: " ")
    }
}

/// A name as written, without its quotes. A column may be qualified by the table (alias) it is
/// read from: `c.status` is `name` "status", `table` "c", and its range covers both.
public struct Identifier: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var range: SourceRange
    public var table: String?

    public init(name: String, range: SourceRange, table: String? = nil) {
        self.name = name
        self.range = range
        self.table = table
    }

    /// The name a row's slot is found by: `c.status` in a join, `status` alone.
    public var key: String { table.map { $0 + "." + name } ?? name }
    public var description: String { name }
}

/// `service.endpoint [[AS] alias]`, e.g. `people.people p` → `/people/people`.
public struct TableReference: Hashable, Sendable, CustomStringConvertible {
    public var service: Identifier
    public var endpoint: Identifier
    public var alias: Identifier?
    public var range: SourceRange

    public init(service: Identifier, endpoint: Identifier, alias: Identifier? = nil, range: SourceRange) {
        self.service = service
        self.endpoint = endpoint
        self.alias = alias
        self.range = range
    }

    public var description: String { "\(service.name).\(endpoint.name)" }
    /// What a qualified column names this table by: its alias, else its endpoint's name.
    public var correlationName: String { alias?.name ?? endpoint.name }
}

/// `[INNER] JOIN t ON …`, `LEFT [OUTER] JOIN t ON …`, or `, t` (its condition is in WHERE).
public struct JoinClause: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable { case inner = "JOIN", left = "LEFT JOIN", comma = "," }
    public var kind: Kind
    public var table: TableReference
    public var condition: Expression?
    public var range: SourceRange
}

/// `expression [ASC | DESC] [NULLS FIRST | NULLS LAST]`.
public struct OrderKey: Hashable, Sendable {
    public var expression: Expression
    public var descending: Bool
    /// nil: NULLs last ascending, first descending (PostgreSQL's default).
    public var nullsFirst: Bool?
    public var range: SourceRange

    public init(expression: Expression, descending: Bool = false, nullsFirst: Bool? = nil, range: SourceRange? = nil) {
        self.expression = expression
        self.descending = descending
        self.nullsFirst = nullsFirst
        self.range = range ?? expression.range
    }

    /// Whether NULLs come first, the default resolved.
    public var nullsComeFirst: Bool { nullsFirst ?? descending }
}

/// The operand of LIMIT or OFFSET: a whole number, or a parameter bound to one.
public enum CountClause: Hashable, Sendable {
    case literal(Int, range: SourceRange)
    case parameter(String, range: SourceRange)

    /// 2^53: the largest LIMIT or OFFSET, so that no page arithmetic on them can overflow (and
    /// any count a double holds exactly is allowed).
    public static let largest = 9_007_199_254_740_992

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

/// Arithmetic and text concatenation.
public enum BinaryOperator: String, Hashable, Sendable, CaseIterable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case remainder = "%"
    case concatenate = "||"
}

/// The types CAST converts to.
public enum SQLType: String, Hashable, Sendable, CaseIterable {
    case integer = "INTEGER", decimal = "DECIMAL", double = "DOUBLE", text = "TEXT", boolean = "BOOLEAN", date = "DATE", timestamp = "TIMESTAMP"

    /// Spellings people write for each type (PostgreSQL's and SQLite's), case-insensitive.
    public init?(name: String) {
        switch name.uppercased() {
        case "INTEGER", "INT", "BIGINT", "SMALLINT", "INT8", "INT4": self = .integer
        case "DECIMAL", "NUMERIC": self = .decimal
        case "REAL", "DOUBLE", "FLOAT", "FLOAT8", "FLOAT4": self = .double
        case "TEXT", "VARCHAR", "STRING", "CHAR": self = .text
        case "BOOLEAN", "BOOL": self = .boolean
        case "DATE": self = .date
        case "TIMESTAMP", "TIMESTAMPTZ", "DATETIME": self = .timestamp
        default: return nil
        }
    }
}

/// `name(arguments)`, `name(DISTINCT x)`, `COUNT(*)`; also `extract(field FROM x)`, whose field
/// is the first argument as a string literal.
public struct FunctionCall: Hashable, Sendable {
    public var name: Identifier
    public var arguments: [Expression]
    public var distinct: Bool = false
    /// `COUNT(*)`.
    public var star: Bool = false
    public var range: SourceRange

    /// The name in lower case, as the function tables key it.
    public var key: String { name.name.lowercased() }
}

/// `CASE [subject] WHEN … THEN … [ELSE …] END`.
public struct CaseExpression: Hashable, Sendable {
    public struct Branch: Hashable, Sendable {
        public var when: Expression
        public var then: Expression
    }
    public var subject: Expression?
    public var branches: [Branch]
    public var otherwise: Expression?
    public var range: SourceRange
}

/// `INTERVAL '30 days'`: a signed amount of one unit.
public struct IntervalLiteral: Hashable, Sendable {
    public enum Unit: String, Hashable, Sendable, CaseIterable {
        case second, minute, hour, day, week, month, year
    }
    public var amount: Int
    public var unit: Unit
    public var range: SourceRange
}

/// An expression: conditions (comparisons, AND, …) and values (columns, literals, arithmetic,
/// function calls) share one type, as in SQL; the parser makes sure a condition stands where
/// one is needed.
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
    /// `-x`.
    case negate(Expression, range: SourceRange)
    /// `a + b`, `a || b`, ….
    case binary(Expression, BinaryOperator, Expression, range: SourceRange)
    case function(FunctionCall)
    case caseWhen(CaseExpression)
    case cast(Expression, SQLType, range: SourceRange)
    case interval(IntervalLiteral)
    /// `x [NOT] IN (SELECT …)`: the runtime runs the subquery and replaces this with an IN list.
    case inSubquery(Expression, SelectStatement, negated: Bool, range: SourceRange)
    /// `[NOT] EXISTS (SELECT …)`.
    case exists(SelectStatement, negated: Bool, range: SourceRange)

    public var range: SourceRange {
        switch self {
        case .column(let identifier): return identifier.range
        case .literal(_, let range), .parameter(_, let range), .comparison(_, _, _, let range),
            .like(_, _, _, let range), .isNull(_, _, let range), .inList(_, _, _, let range),
            .between(_, _, _, _, let range), .not(_, let range), .grouped(_, let range), .negate(_, let range),
            .binary(_, _, _, let range), .cast(_, _, let range), .inSubquery(_, _, _, let range), .exists(_, _, let range):
            return range
        case .and(let left, let right), .or(let left, let right):
            return left.range.union(right.range)
        case .function(let call): return call.range
        case .caseWhen(let expression): return expression.range
        case .interval(let interval): return interval.range
        }
    }

    /// How the parser sees an expression's type before any row is read.
    public enum Shape: Sendable { case condition, value, either }

    public var shape: Shape {
        switch self {
        case .comparison, .like, .isNull, .inList, .between, .not, .and, .or, .inSubquery, .exists: return .condition
        case .literal(.boolean, _), .literal(.null, _): return .either
        case .column, .literal, .negate, .binary, .interval: return .value
        case .cast(_, let type, _): return type == .boolean ? .either : .value
        case .parameter, .function, .caseWhen: return .either
        case .grouped(let inner, _): return inner.shape
        }
    }

    /// The expression without any enclosing parentheses.
    public var ungrouped: Expression {
        if case .grouped(let inner, _) = self { return inner.ungrouped }
        return self
    }

    /// The conjuncts ANDed left to right; nil for none (the inverse of ``conjuncts``).
    public static func conjunction(_ conjuncts: [Expression]) -> Expression? {
        conjuncts.dropFirst().reduce(conjuncts.first) { combined, next in .and(combined!, next) }
    }

    /// The top-level AND operands, left to right: `a AND (b AND c)` → [a, b, c].
    public var conjuncts: [Expression] {
        switch self.ungrouped {
        case .and(let left, let right): return left.conjuncts + right.conjuncts
        default: return [self]
        }
    }

    /// The expressions directly inside this one, in source order.
    public var children: [Expression] {
        switch self {
        case .column, .literal, .parameter, .interval, .exists: return []
        case .inSubquery(let value, _, _, _): return [value]
        case .comparison(let left, _, let right, _), .and(let left, let right), .or(let left, let right),
            .binary(let left, _, let right, _):
            return [left, right]
        case .like(let value, let pattern, _, _): return [value, pattern]
        case .isNull(let value, _, _), .not(let value, _), .grouped(let value, _), .negate(let value, _),
            .cast(let value, _, _):
            return [value]
        case .inList(let value, let list, _, _): return [value] + list
        case .between(let value, let low, let high, _, _): return [value, low, high]
        case .function(let call): return call.arguments
        case .caseWhen(let expression):
            return (expression.subject.map { [$0] } ?? []) + expression.branches.flatMap { [$0.when, $0.then] }
                + (expression.otherwise.map { [$0] } ?? [])
        }
    }

    /// The expression with each child replaced by `transform(child)`, rebuilt bottom-up by the
    /// caller (``rewritten(_:)``).
    public func replacingChildren(_ transform: (Expression) throws(Diagnostic) -> Expression) throws(Diagnostic) -> Expression {
        switch self {
        case .column, .literal, .parameter, .interval, .exists: return self
        case .inSubquery(let value, let query, let negated, let range):
            return .inSubquery(try transform(value), query, negated: negated, range: range)
        case .comparison(let left, let op, let right, let range):
            return .comparison(try transform(left), op, try transform(right), range: range)
        case .and(let left, let right): return .and(try transform(left), try transform(right))
        case .or(let left, let right): return .or(try transform(left), try transform(right))
        case .binary(let left, let op, let right, let range):
            return .binary(try transform(left), op, try transform(right), range: range)
        case .like(let value, let pattern, let negated, let range):
            return .like(try transform(value), pattern: try transform(pattern), negated: negated, range: range)
        case .isNull(let value, let negated, let range): return .isNull(try transform(value), negated: negated, range: range)
        case .not(let value, let range): return .not(try transform(value), range: range)
        case .grouped(let value, let range): return .grouped(try transform(value), range: range)
        case .negate(let value, let range): return .negate(try transform(value), range: range)
        case .cast(let value, let type, let range): return .cast(try transform(value), type, range: range)
        case .inList(let value, let list, let negated, let range):
            var items: [Expression] = []
            for item in list { items.append(try transform(item)) }
            return .inList(try transform(value), items, negated: negated, range: range)
        case .between(let value, let low, let high, let negated, let range):
            return .between(try transform(value), low: try transform(low), high: try transform(high), negated: negated, range: range)
        case .function(var call):
            var arguments: [Expression] = []
            for argument in call.arguments { arguments.append(try transform(argument)) }
            call.arguments = arguments
            return .function(call)
        case .caseWhen(var expression):
            expression.subject = try expression.subject.map { (e) throws(Diagnostic) in try transform(e) }
            var branches: [CaseExpression.Branch] = []
            for branch in expression.branches {
                branches.append(.init(when: try transform(branch.when), then: try transform(branch.then)))
            }
            expression.branches = branches
            expression.otherwise = try expression.otherwise.map { (e) throws(Diagnostic) in try transform(e) }
            return .caseWhen(expression)
        }
    }

    /// Rewrites bottom-up: `transform` sees each node after its children were rewritten, and
    /// returns nil to keep it.
    public func rewritten(_ transform: (Expression) throws(Diagnostic) -> Expression?) throws(Diagnostic) -> Expression {
        let rebuilt = try replacingChildren { (child) throws(Diagnostic) in try child.rewritten(transform) }
        return try transform(rebuilt) ?? rebuilt
    }

    /// Whether any node satisfies `predicate` (this one included), without descending into
    /// nodes for which `descend` is false.
    public func contains(where predicate: (Expression) -> Bool, descend: (Expression) -> Bool = { _ in true }) -> Bool {
        if predicate(self) { return true }
        guard descend(self) else { return false }
        return children.contains { $0.contains(where: predicate, descend: descend) }
    }

    /// Every column the expression reads, in order of appearance, without repeats.
    public var columnNames: [String] {
        var names: [String] = []
        var seen: Set<String> = []
        func visit(_ expression: Expression) {
            if case .column(let identifier) = expression, seen.insert(identifier.key).inserted { names.append(identifier.key) }
            expression.children.forEach(visit)
        }
        visit(self)
        return names
    }

    /// True when no column is read: the value is the same for every row.
    public var isConstant: Bool {
        !contains {
            switch $0 {
            case .column, .inSubquery, .exists: true
            default: false
            }
        }
    }

    /// True when a subquery is anywhere inside.
    public var containsSubquery: Bool {
        contains {
            switch $0 {
            case .inSubquery, .exists: true
            default: false
            }
        }
    }

    /// The aggregate call, if this node is one (COUNT, SUM, AVG, MIN, MAX).
    public var aggregateCall: FunctionCall? {
        if case .function(let call) = self, AggregateKind(call.key) != nil { return call }
        return nil
    }

    /// True when an aggregate call is anywhere inside.
    public var containsAggregate: Bool { contains { $0.aggregateCall != nil } }
}

/// The aggregate functions.
public enum AggregateKind: String, Hashable, Sendable, CaseIterable {
    case count, sum, avg, min, max

    public init?(_ key: String) { self.init(rawValue: key) }
}

extension Expression: CustomStringConvertible {
    /// The expression in SQL, normalised (keywords upper case, literals quoted), e.g.
    /// `last_name LIKE 'Doe' AND (age < 18 OR age IS NULL)`.
    public var description: String {
        switch self {
        case .column(let identifier):
            let name = identifier.name == "*" ? "*" : quoteIdentifierIfNeeded(identifier.name)
            return identifier.table.map { quoteIdentifierIfNeeded($0) + "." + name } ?? name
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
        case .negate(let inner, _): return "-\(inner)"
        case .binary(let left, let op, let right, _): return "\(left) \(op.rawValue) \(right)"
        case .function(let call):
            if call.star { return "\(call.name.name.uppercased())(*)" }
            if call.key == "extract", call.arguments.count == 2, case .literal(.string(let field), _) = call.arguments[0] {
                return "extract(\(field) FROM \(call.arguments[1]))"
            }
            let name = call.aggregateName ?? call.key
            return "\(name)(\(call.distinct ? "DISTINCT " : "")\(call.arguments.map(\.description).joined(separator: ", ")))"
        case .caseWhen(let expression):
            var text = "CASE"
            if let subject = expression.subject { text += " \(subject)" }
            for branch in expression.branches { text += " WHEN \(branch.when) THEN \(branch.then)" }
            if let otherwise = expression.otherwise { text += " ELSE \(otherwise)" }
            return text + " END"
        case .cast(let inner, let type, _): return "CAST(\(inner) AS \(type.rawValue))"
        case .inSubquery(let value, let query, let negated, _):
            return "\(value) \(negated ? "NOT IN" : "IN") (\(query))"
        case .exists(let query, let negated, _):
            return "\(negated ? "NOT EXISTS" : "EXISTS") (\(query))"
        case .interval(let interval):
            return "INTERVAL '\(interval.amount) \(interval.unit.rawValue)\(abs(interval.amount) == 1 ? "" : "s")'"
        }
    }
}

extension FunctionCall {
    /// Aggregates print in upper case, as people write them: COUNT, SUM.
    var aggregateName: String? { AggregateKind(key).map { $0.rawValue.uppercased() } }
}

/// `last_name` stays bare; `Last Name` and `order` need quotes to be read back as names.
public func quoteIdentifierIfNeeded(_ name: String) -> String {
    let bytes = Array(name.utf8)
    let plain = !bytes.isEmpty && isIdentifierStart(bytes[0]) && bytes.allSatisfy(isIdentifierPart)
        && Keyword(word: name) == nil
    return plain ? name : "\"" + name.replacing("\"", with: "\"\"") + "\""
}
