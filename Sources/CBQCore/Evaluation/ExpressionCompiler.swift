/// A compiled expression: a closure over one row's slots (the values of the columns it reads,
/// or of the group keys and aggregates computed before it).
public struct CompiledExpression: Sendable {
    let evaluate: @Sendable ([SQLValue]) throws(Diagnostic) -> SQLValue

    public func callAsFunction(_ slots: [SQLValue]) throws(Diagnostic) -> SQLValue { try evaluate(slots) }

    /// For WHERE and HAVING: a row passes only when the condition is TRUE (not FALSE, not NULL).
    public func passes(_ slots: [SQLValue]) throws(Diagnostic) -> Bool {
        if case .boolean(true) = try evaluate(slots) { return true }
        return false
    }
}

/// Compiles expressions into closures, resolving each column (or each whole subexpression the
/// plan computed earlier, such as a group key or an aggregate) to a slot.
///
///     let compiler = ExpressionCompiler(slots: ["age": 0])
///     let adult = try compiler.compile(ageAtLeast18)   // a CompiledExpression
///     try adult([.integer(20)])                        // .boolean(true)
public struct ExpressionCompiler: Sendable {
    /// Input columns → slot.
    public var slots: [String: Int]
    /// Subexpressions computed earlier, by their normalised text (``Expression/description``) → slot.
    public var computed: [String: Int]
    public var now: Instant
    /// The error for a column that has no slot (e.g. one not in GROUP BY).
    public var unresolved: @Sendable (Identifier) -> Diagnostic

    public init(slots: [String: Int], computed: [String: Int] = [:], now: Instant = Instant(seconds: 0),
                unresolved: @escaping @Sendable (Identifier) -> Diagnostic = Diagnostic.unknownColumnSlot) {
        self.slots = slots
        self.computed = computed
        self.now = now
        self.unresolved = unresolved
    }

    public func compile(_ expression: Expression) throws(Diagnostic) -> CompiledExpression {
        if !computed.isEmpty, let slot = computed[expression.ungrouped.description] {
            return CompiledExpression { slots in slots[slot] }
        }
        switch expression {
        case .column(let identifier):
            guard let slot = slots[identifier.key] else { throw unresolved(identifier) }
            return CompiledExpression { slots in slots[slot] }
        case .literal(let literal, _):
            let value = SQLValue(literal)
            return CompiledExpression { _ in value }
        case .parameter(let name, let range):
            throw Diagnostic.unboundParameter(name, at: range)
        case .grouped(let inner, _):
            return try compile(inner)
        case .comparison(let left, let op, let right, let range):
            let l = try compile(left), r = try compile(right)
            let constant = Self.constantSide(left, right)
            return CompiledExpression { slots throws(Diagnostic) in
                Operations.satisfies(try Operations.order(try l(slots), try r(slots), constant: constant, at: range), op)
            }
        case .like(let value, let pattern, let negated, _):
            let subject = try compile(value)
            if case .literal(let literal, _) = pattern.ungrouped, let text = SQLValue(literal).text {
                let compiled = LikePattern(text)
                return CompiledExpression { slots throws(Diagnostic) in
                    guard let text = try subject(slots).text else { return .null }
                    return .boolean(compiled.matches(text) != negated)
                }
            }
            let patternValue = try compile(pattern)
            return CompiledExpression { slots throws(Diagnostic) in
                guard let text = try subject(slots).text, let pattern = try patternValue(slots).text else { return .null }
                return .boolean(LikePattern(pattern).matches(text) != negated)
            }
        case .isNull(let value, let negated, _):
            let subject = try compile(value)
            return CompiledExpression { slots throws(Diagnostic) in .boolean(try subject(slots).isNull != negated) }
        case .inList(let value, let items, let negated, let range):
            let subject = try compile(value)
            var compiled: [(CompiledExpression, Operations.Constant)] = []
            for item in items { compiled.append((try compile(item), Self.constantSide(value, item))) }
            let list = compiled
            // A long list of strings (a subquery's ids): text against text is equal exactly when
            // the keys are (the bytes, or for dates and timestamps the instants), so a set answers
            // it in one lookup; anything else compares in turn.
            let strings = items.compactMap { item -> [UInt8]? in
                if case .literal(.string(let text), _) = item.ungrouped { return Array(ValueSemantics.textKey(text).utf8) }
                return nil
            }
            let nulls = items.contains { if case .literal(.null, _) = $0.ungrouped { true } else { false } }
            let hashed: Set<[UInt8]>? = items.count >= 8 && strings.count + (nulls ? 1 : 0) >= items.count
                && !value.ungrouped.isLiteral && strings.count == items.filter({ !$0.ungrouped.isNullLiteral }).count ? Set(strings) : nil
            return CompiledExpression { slots throws(Diagnostic) in
                let x = try subject(slots)
                if let hashed, case .text(let text) = x {
                    if hashed.contains(Array(ValueSemantics.textKey(text).utf8)) { return .boolean(!negated) }
                    return nulls ? .null : .boolean(negated)
                }
                var unknown = false
                for (item, constant) in list {
                    switch try Operations.order(x, try item(slots), constant: constant, at: range) {
                    case 0?: return .boolean(!negated)
                    case nil: unknown = true
                    default: continue
                    }
                }
                return unknown ? .null : .boolean(negated)
            }
        case .between(let value, let low, let high, let negated, let range):
            let subject = try compile(value), lo = try compile(low), hi = try compile(high)
            let lowSide = Self.constantSide(value, low), highSide = Self.constantSide(value, high)
            return CompiledExpression { slots throws(Diagnostic) in
                let x = try subject(slots)
                let above = try Operations.order(x, try lo(slots), constant: lowSide, at: range).map { $0 >= 0 }
                let below = try Operations.order(x, try hi(slots), constant: highSide, at: range).map { $0 <= 0 }
                if above == false || below == false { return .boolean(negated) }
                if above == true && below == true { return .boolean(!negated) }
                return .null
            }
        case .not(let inner, _):
            let operand = try compile(inner)
            return CompiledExpression { slots throws(Diagnostic) in
                switch try operand(slots) {
                case .boolean(let flag): return .boolean(!flag)
                default: return .null
                }
            }
        case .and(let left, let right):
            let l = try compile(left), r = try compile(right)
            return CompiledExpression { slots throws(Diagnostic) in
                let a = Self.truth(try l(slots))
                if a == false { return .boolean(false) }
                let b = Self.truth(try r(slots))
                if b == false { return .boolean(false) }
                return a == true && b == true ? .boolean(true) : .null
            }
        case .or(let left, let right):
            let l = try compile(left), r = try compile(right)
            return CompiledExpression { slots throws(Diagnostic) in
                let a = Self.truth(try l(slots))
                if a == true { return .boolean(true) }
                let b = Self.truth(try r(slots))
                if b == true { return .boolean(true) }
                return a == false && b == false ? .boolean(false) : .null
            }
        case .negate(let inner, let range):
            let operand = try compile(inner)
            return CompiledExpression { slots throws(Diagnostic) in try Operations.negate(try operand(slots), at: range) }
        case .binary(let left, let op, let right, let range):
            if op == .add || op == .subtract, let shifted = try compileIntervalShift(left, op, right, range) { return shifted }
            if case .interval(let interval) = left.ungrouped { throw Diagnostic.misplacedInterval(at: interval.range) }
            if case .interval(let interval) = right.ungrouped { throw Diagnostic.misplacedInterval(at: interval.range) }
            let l = try compile(left), r = try compile(right)
            return CompiledExpression { slots throws(Diagnostic) in try Operations.arithmetic(op, try l(slots), try r(slots), at: range) }
        case .cast(let inner, let type, let range):
            let operand = try compile(inner)
            return CompiledExpression { slots throws(Diagnostic) in try Operations.cast(try operand(slots), to: type, at: range) }
        case .caseWhen(let expression):
            return try compileCase(expression)
        case .interval(let interval):
            throw Diagnostic.misplacedInterval(at: interval.range)
        case .inSubquery(_, _, _, let range), .exists(_, _, let range):
            // The runtime runs each subquery of WHERE first and puts its values here.
            throw Diagnostic.misplacedSubquery(at: range)
        case .function(let call):
            if let kind = AggregateKind(call.key) { throw Diagnostic.misplacedAggregate(kind, at: call.range) }
            return try compileFunction(call)
        }
    }

    /// TRUE, FALSE or unknown: anything but a boolean is unknown.
    static func truth(_ value: SQLValue) -> Bool? {
        if case .boolean(let flag) = value { return flag }
        return nil
    }

    /// A literal side is read as the other side's type (a number with its spelling).
    static func constantSide(_ left: Expression, _ right: Expression) -> Operations.Constant {
        let l = left.ungrouped.isLiteral, r = right.ungrouped.isLiteral
        func spelling(_ expression: Expression) -> String? {
            if case .literal(.number(let text), _) = expression.ungrouped { return text }
            return nil
        }
        if r && !l { return .right(spelling: spelling(right)) }
        if l && !r { return .left(spelling: spelling(left)) }
        return .none
    }

    /// `ts + INTERVAL '1 day'`, `INTERVAL '1 day' + ts`, `ts - INTERVAL '1 day'`.
    private func compileIntervalShift(_ left: Expression, _ op: BinaryOperator, _ right: Expression,
                                      _ range: SourceRange) throws(Diagnostic) -> CompiledExpression? {
        let interval: IntervalLiteral, base: Expression
        if case .interval(let i) = right.ungrouped { interval = i; base = left }
        else if op == .add, case .interval(let i) = left.ungrouped { interval = i; base = right }
        else { return nil }
        let amount = op == .subtract ? -interval.amount : interval.amount
        let operand = try compile(base)
        return CompiledExpression { slots throws(Diagnostic) in
            let value = try operand(slots)
            if value.isNull { return .null }
            guard case .text(let text) = value, let instant = Instant(text) else {
                throw Diagnostic.notATimestamp(value, function: "INTERVAL arithmetic", at: base.range)
            }
            guard let shifted = instant.adding(amount, interval.unit) else { throw Diagnostic.dateOutOfRange(at: range) }
            return .text(shifted.text)
        }
    }

    private func compileCase(_ expression: CaseExpression) throws(Diagnostic) -> CompiledExpression {
        let subject = try expression.subject.map { (e) throws(Diagnostic) in try compile(e) }
        var branches: [(CompiledExpression, CompiledExpression, Operations.Constant, SourceRange)] = []
        for branch in expression.branches {
            let side = expression.subject.map { Self.constantSide($0, branch.when) } ?? .none
            branches.append((try compile(branch.when), try compile(branch.then), side, branch.when.range))
        }
        let otherwise = try expression.otherwise.map { (e) throws(Diagnostic) in try compile(e) }
        let compiledBranches = branches
        return CompiledExpression { slots throws(Diagnostic) in
            let x = try subject?(slots)
            for (when, then, side, range) in compiledBranches {
                let condition = try when(slots)
                let taken: Bool
                // `CASE x WHEN v` is `x = v`: values that do not compare are its error too.
                if let x { taken = try Operations.order(x, condition, constant: side, at: range) == 0 } else { taken = Self.truth(condition) == true }
                if taken { return try then(slots) }
            }
            return try otherwise?(slots) ?? .null
        }
    }

    private func compileFunction(_ call: FunctionCall) throws(Diagnostic) -> CompiledExpression {
        guard let function = ScalarFunction.named(call.key) else {
            throw Diagnostic.unknownFunction(call.name.name, among: ScalarFunction.names, at: call.name.range)
        }
        guard !call.star, !call.distinct else { throw Diagnostic.starOrDistinctInScalar(call.name.name, at: call.range) }
        guard function.arity.contains(call.arguments.count) else {
            throw Diagnostic.wrongArgumentCount(call.name.name, expected: function.arity, found: call.arguments.count, at: call.range)
        }
        var compiledArguments: [CompiledExpression] = []
        for argument in call.arguments { compiledArguments.append(try compile(argument)) }
        let arguments = compiledArguments
        let context = ScalarFunction.Call(name: call.key, range: call.range, argumentRanges: call.arguments.map(\.range), now: now)
        let strict = function.strict
        let apply = function.apply
        return CompiledExpression { slots throws(Diagnostic) in
            var values: [SQLValue] = []
            values.reserveCapacity(arguments.count)
            for argument in arguments {
                let value = try argument(slots)
                if strict, value.isNull { return .null }
                values.append(value)
            }
            return try apply(values, context)
        }
    }
}

extension Expression {
    var isLiteral: Bool { if case .literal = self { true } else { false } }
}

extension ExpressionCompiler {
    /// Compiles and evaluates once over named values: the slow path, for tests and tools.
    ///
    ///     try ExpressionCompiler.evaluate(expression) { row[$0] ?? .null }   // .boolean(true)
    public static func evaluate(_ expression: Expression, now: Instant = Instant(seconds: 0),
                                column: (String) -> SQLValue) throws(Diagnostic) -> SQLValue {
        let names = expression.columnNames
        let compiler = ExpressionCompiler(slots: Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) }), now: now)
        return try compiler.compile(expression)(names.map(column))
    }

    /// A condition's truth over named values: true, false or unknown (nil).
    public static func truth(of condition: Expression, column: (String) -> SQLValue) throws(Diagnostic) -> Bool? {
        truth(try evaluate(condition, column: column))
    }
}

extension Expression {
    /// `NULL` as written.
    var isNullLiteral: Bool {
        if case .literal(.null, _) = self { return true }
        return false
    }
}
