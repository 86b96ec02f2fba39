/// The expression grammar: conditions, values (arithmetic, functions, CASE, CAST), and names.
extension Parser {
    // MARK: - Expressions

    /// expression = or_expression ;
    mutating func parseExpression(after context: String) throws(Diagnostic) -> Expression {
        if current.kind == .end {
            throw Diagnostic.expectedCondition(after: context, at: .at(previous.range.end))
        }
        return try parseOrExpression()
    }

    /// or_expression = and_expression { "OR" and_expression } ;
    private mutating func parseOrExpression() throws(Diagnostic) -> Expression {
        var expression = try parseAndExpression()
        while accept(.or) {
            try requireCondition(expression, beside: "OR")
            try countOperator()
            let right = try parseAndExpression()
            try requireCondition(right, beside: "OR")
            expression = .or(expression, right)
        }
        return expression
    }

    /// and_expression = not_expression { "AND" not_expression } ;
    private mutating func parseAndExpression() throws(Diagnostic) -> Expression {
        var expression = try parseNotExpression()
        while accept(.and) {
            try requireCondition(expression, beside: "AND")
            try countOperator()
            let right = try parseNotExpression()
            try requireCondition(right, beside: "AND")
            expression = .and(expression, right)
        }
        return expression
    }

    /// not_expression = "NOT" not_expression | predicate ;
    private mutating func parseNotExpression() throws(Diagnostic) -> Expression {
        if check(.not) {
            let start = advance().range.start
            try enter()
            defer { nesting -= 1 }
            let operand = try parseNotExpression()
            try requireCondition(operand, beside: "NOT")
            return .not(operand, range: SourceRange(start, operand.range.end))
        }
        return try parsePredicate()
    }

    /// predicate = value [ comparison_operator value
    ///                   | [ "NOT" ] ( "LIKE" | "ILIKE" ) value
    ///                   | "IS" [ "NOT" ] "NULL"
    ///                   | [ "NOT" ] "IN" ( in_list | subquery )
    ///                   | [ "NOT" ] "BETWEEN" value "AND" value ] ;
    /// comparison_operator = "=" | "!=" | "<>" | "<" | "<=" | ">" | ">=" ;
    private mutating func parsePredicate() throws(Diagnostic) -> Expression {
        let left = try parseValue(after: previous.kind == .end ? "the start" : "'\(source.excerpt(previous.range))'")
        if let op = comparisonOperator(current.kind) {
            let opToken = advance()
            try requireValue(left, beside: opToken)
            let right = try parseValue(after: "'\(source.excerpt(opToken.range))'")
            try requireValue(right, beside: opToken)
            return .comparison(left, op, right, range: left.range.union(right.range))
        }
        var negated = false
        if check(.not) {
            let notToken = current
            if case .keyword(let next) = peek.kind, [.like, .in, .between].contains(next) {
                advance()
                negated = true
            } else if peek.kind == .identifier, peek.value.lowercased() == "ilike", source.utf8[peek.range.start] != UInt8(ascii: "\"") {
                advance()
                negated = true
            } else if peek.kind == .end {
                advance()
                throw Diagnostic.expectedNegatablePredicate(at: .at(notToken.range.end))
            } else {
                throw Diagnostic.expectedNegatablePredicate(found: describe(peek), at: peek.range)
            }
        }
        let keywordToken = current
        // ILIKE is LIKE: cbq's LIKE is case-insensitive, as the API's like filter is.
        let isILike = isWord("ilike")
        switch isILike ? .keyword(.like) : current.kind {
        case .keyword(.like):
            advance()
            try requireValue(left, beside: keywordToken)
            let spelling = isILike ? "ILIKE" : "LIKE"
            let pattern = try parseValue(after: negated ? "'NOT \(spelling)'" : "'\(spelling)'")
            try requireValue(pattern, beside: keywordToken)
            return .like(left, pattern: pattern, negated: negated, range: left.range.union(pattern.range))
        case .keyword(.is):
            advance()
            try requireValue(left, beside: keywordToken)
            let isNot = accept(.not)
            guard accept(.null) else {
                throw expected("'NULL'", after: isNot ? "'IS NOT'" : "'IS'", hint: Diagnostic.Hint.isNull)
            }
            return .isNull(left, negated: isNot, range: SourceRange(left.range.start, previous.range.end))
        case .keyword(.in):
            advance()
            try requireValue(left, beside: keywordToken)
            return try parseInList(left, negated: negated)
        case .keyword(.between):
            advance()
            try requireValue(left, beside: keywordToken)
            let low = try parseValue(after: "'BETWEEN'")
            try requireValue(low, beside: keywordToken)
            guard accept(.and) else {
                throw expected("'AND'", after: "'BETWEEN \(source.excerpt(low.range))'", hint: Diagnostic.Hint.betweenBounds)
            }
            let high = try parseValue(after: "'AND'")
            try requireValue(high, beside: keywordToken)
            return .between(left, low: low, high: high, negated: negated,
                            range: left.range.union(high.range))
        default:
            return left
        }
    }

    /// in_list = "(" value { "," value } ")" ;
    private mutating func parseInList(_ value: Expression, negated: Bool) throws(Diagnostic) -> Expression {
        if case .keyword(.select) = peek.kind {
            let query = try parseSubquery(after: negated ? "'NOT IN'" : "'IN'")
            return .inSubquery(value, query, negated: negated, range: SourceRange(value.range.start, previous.range.end))
        }
        try expect(.leftParen, after: negated ? "'NOT IN'" : "'IN'")
        if case .symbol(.rightParen) = current.kind {
            throw Diagnostic.emptyInList(at: current.range)
        }
        var items: [Expression] = []
        repeat {
            let item = try parseValue(after: items.isEmpty ? "'('" : "','")
            if item.shape == .condition {
                throw Diagnostic.expectedValueInList(at: item.range)
            }
            items.append(item)
        } while acceptSymbol(.comma)
        try expect(.rightParen, after: "the IN list")
        return .inList(value, items, negated: negated, range: SourceRange(value.range.start, previous.range.end))
    }

    /// subquery = "(" select_statement ")" ;
    private mutating func parseSubquery(after context: String) throws(Diagnostic) -> SelectStatement {
        try expect(.leftParen, after: context)
        try enter()
        defer { nesting -= 1 }
        let query = try parseSelectStatement()
        if let word = setOperationWord { throw Diagnostic.setOperation(word, at: current.range) }
        try expect(.rightParen, after: "the subquery")
        return query
    }

    // MARK: - Values

    /// value = term { "||" term } ;
    private mutating func parseValue(after context: String) throws(Diagnostic) -> Expression {
        var left = try parseTerm(after: context)
        while case .symbol(.concatenate) = current.kind {
            left = try parseBinary(left, .concatenate) { (parser, context) throws(Diagnostic) in try parser.parseTerm(after: context) }
        }
        return left
    }

    /// term = factor { ( "+" | "-" ) factor } ;
    private mutating func parseTerm(after context: String) throws(Diagnostic) -> Expression {
        var left = try parseFactor(after: context)
        while true {
            let op: BinaryOperator
            switch current.kind {
            case .symbol(.plus): op = .add
            case .symbol(.minus): op = .subtract
            default: return left
            }
            left = try parseBinary(left, op) { (parser, context) throws(Diagnostic) in try parser.parseFactor(after: context) }
        }
    }

    /// factor = unary { ( "*" | "/" | "%" ) unary } ;
    private mutating func parseFactor(after context: String) throws(Diagnostic) -> Expression {
        var left = try parseUnary(after: context)
        while true {
            let op: BinaryOperator
            switch current.kind {
            case .symbol(.star): op = .multiply
            case .symbol(.slash): op = .divide
            case .symbol(.percent): op = .remainder
            default: return left
            }
            left = try parseBinary(left, op) { (parser, context) throws(Diagnostic) in try parser.parseUnary(after: context) }
        }
    }

    /// One `left op right` step of the loops above: both sides must be values.
    private mutating func parseBinary(
        _ left: Expression, _ op: BinaryOperator,
        _ operand: (inout Parser, String) throws(Diagnostic) -> Expression
    ) throws(Diagnostic) -> Expression {
        let opToken = advance()
        try requireValue(left, beside: opToken)
        try countOperator()
        let right = try operand(&self, "'\(op.rawValue)'")
        try requireValue(right, beside: opToken)
        return .binary(left, op, right, range: left.range.union(right.range))
    }

    /// unary = "-" unary | postfix ;
    /// postfix = primary { "::" identifier } ;
    ///
    /// `-5` is folded into the literal -5, so it is sent to the API as written. `x::date` is
    /// `CAST(x AS date)`, as in PostgreSQL, and binds tighter than the minus.
    private mutating func parseUnary(after context: String) throws(Diagnostic) -> Expression {
        guard case .symbol(.minus) = current.kind else { return try parsePostfixCasts(try parsePrimary(after: context)) }
        let minus = advance()
        if current.kind == .number, current.range.start == minus.range.end {
            let number = advance()
            return try parsePostfixCasts(.literal(.number("-" + number.value), range: SourceRange(minus.range.start, number.range.end)))
        }
        try enter()
        defer { nesting -= 1 }
        let operand = try parseUnary(after: "'-'")
        try requireValue(operand, beside: minus)
        return .negate(operand, range: SourceRange(minus.range.start, operand.range.end))
    }

    /// primary = literal | parameter | interval_literal | typed_literal | case_expression | cast_expression
    ///         | extract_expression | function_call | special_value | exists_expression | column_reference
    ///         | "(" expression ")" ;
    /// exists_expression = "EXISTS" subquery ;
    /// column_reference = identifier [ "." ( identifier | "*" ) ] ;
    /// literal = string | number | "TRUE" | "FALSE" | "NULL" ;
    /// special_value = "CURRENT_DATE" | "CURRENT_TIMESTAMP" ;
    private mutating func parsePrimary(after context: String) throws(Diagnostic) -> Expression {
        let token = current
        switch token.kind {
        case .identifier:
            if isWord("interval"), peek.kind == .string { return try parseInterval() }
            if isWord("date") || isWord("timestamp") || isWord("timestamptz"), peek.kind == .string { return try parseTypedLiteral() }
            if case .symbol(.leftParen) = peek.kind {
                if isWord("cast") { return try parseCast() }
                if isWord("extract") { return try parseExtract() }
                return try parseFunctionCall()
            }
            if isWord("current_date") || isWord("current_timestamp") {
                advance()
                let name = Identifier(name: token.value.lowercased(), range: token.range)
                return .function(FunctionCall(name: name, arguments: [], range: token.range))
            }
            advance()
            // `c.status`, or `c.*` (which only a select list may hold: the planner says so).
            guard acceptSymbol(.dot) else { return .column(Identifier(name: token.value, range: token.range)) }
            let column: Token
            switch current.kind {
            case .identifier, .symbol(.star): column = advance()
            case .keyword: column = advance()  // `c.end`: after a dot a keyword is a column name
            default: throw Diagnostic.expectedColumnAfterDot(token.value, at: current.kind == .end ? .at(previous.range.end) : current.range)
            }
            if case .symbol(.dot) = current.kind { throw Diagnostic.qualifiedColumn(at: current.range) }
            let name = column.kind == .symbol(.star) ? "*" : column.value
            return .column(Identifier(name: name, range: token.range.union(column.range), table: token.value))
        case .string:
            advance()
            return .literal(.string(token.value), range: token.range)
        case .number:
            advance()
            return .literal(.number(token.value), range: token.range)
        case .keyword(.true), .keyword(.false):
            advance()
            return .literal(.boolean(token.kind == .keyword(.true)), range: token.range)
        case .keyword(.null):
            advance()
            return .literal(.null, range: token.range)
        case .keyword(.case):
            return try parseCase()
        case .keyword(.exists):
            advance()
            let query = try parseSubquery(after: "'EXISTS'")
            return .exists(query, negated: false, range: SourceRange(token.range.start, previous.range.end))
        case .parameter:
            advance()
            return .parameter(token.value, range: token.range)
        case .symbol(.leftParen):
            advance()
            try enter()
            defer { nesting -= 1 }
            let inner = try parseExpression(after: "'('")
            if !acceptSymbol(.rightParen) {
                throw expected("')'", after: "'\(source.excerpt(SourceRange(token.range.start, previous.range.end)))'",
                               hint: Diagnostic.Hint.closeParenthesis)
            }
            return .grouped(inner, range: SourceRange(token.range.start, previous.range.end))
        case .end:
            throw Diagnostic.expectedValue(after: context, at: .at(previous.range.end))
        case .keyword(let keyword):
            throw Diagnostic.expectedValue(after: context, foundKeyword: keyword, written: token.value, at: token.range)
        default:
            throw Diagnostic.expectedValue(after: context, found: describe(token), at: token.range)
        }
    }

    /// function_call = identifier "(" [ "*" | [ "DISTINCT" ] expression { "," expression } ] ")" ;
    private mutating func parseFunctionCall() throws(Diagnostic) -> Expression {
        let nameToken = advance()
        let name = Identifier(name: nameToken.value, range: nameToken.range)
        advance()  // (
        try enter()
        defer { nesting -= 1 }
        var call = FunctionCall(name: name, arguments: [], range: nameToken.range)
        if case .symbol(.star) = current.kind {
            advance()
            call.star = true
        } else if case .symbol(.rightParen) = current.kind {
            // no arguments: now()
        } else {
            call.distinct = accept(.distinct)
            repeat {
                let argument = try parseExpression(after: call.arguments.isEmpty ? "'\(name.name)('" : "','")
                call.arguments.append(argument)
            } while acceptSymbol(.comma)
        }
        try expect(.rightParen, after: "the arguments of \(name.name)", hint: Diagnostic.Hint.closeParenthesis)
        if isWord("over"), case .symbol(.leftParen) = peek.kind { throw Diagnostic.windowFunction(at: current.range) }
        call.range = SourceRange(nameToken.range.start, previous.range.end)
        return .function(call)
    }

    /// `value::type`, as often as written: each is a CAST.
    private mutating func parsePostfixCasts(_ value: Expression) throws(Diagnostic) -> Expression {
        var value = value
        while case .symbol(.cast) = current.kind {
            advance()
            let type = try parseType(after: "'::'")
            value = .cast(value, type, range: SourceRange(value.range.start, previous.range.end))
        }
        return value
    }

    /// typed_literal = ( "DATE" | "TIMESTAMP" | "TIMESTAMPTZ" ) string ;
    ///
    /// `DATE '2025-01-01'` is `CAST('2025-01-01' AS date)`.
    private mutating func parseTypedLiteral() throws(Diagnostic) -> Expression {
        let typeToken = advance()
        let text = advance()
        let type = SQLType(name: typeToken.value)!
        return .cast(.literal(.string(text.value), range: text.range), type, range: SourceRange(typeToken.range.start, text.range.end))
    }

    /// A type's name, or an error naming the types there are.
    private mutating func parseType(after context: String) throws(Diagnostic) -> SQLType {
        let typeName = try parseIdentifier(after: context, expecting: "a type such as INTEGER or TEXT")
        guard let type = SQLType(name: typeName.name) else { throw Diagnostic.unknownType(typeName.name, at: typeName.range) }
        return type
    }

    /// cast_expression = "CAST" "(" expression "AS" identifier ")" ;
    private mutating func parseCast() throws(Diagnostic) -> Expression {
        let start = advance().range.start
        advance()  // (
        try enter()
        defer { nesting -= 1 }
        let value = try parseExpression(after: "'CAST('")
        try expect(.as, context: "the value to CAST", alternatives: [])
        let type = try parseType(after: "'AS'")
        try expect(.rightParen, after: "'\(previous.value)'", hint: Diagnostic.Hint.closeParenthesis)
        return .cast(value, type, range: SourceRange(start, previous.range.end))
    }

    /// extract_expression = "EXTRACT" "(" identifier "FROM" expression ")" ;
    private mutating func parseExtract() throws(Diagnostic) -> Expression {
        let nameToken = advance()
        advance()  // (
        try enter()
        defer { nesting -= 1 }
        let field = try parseIdentifier(after: "'extract('", expecting: "a field such as year or month")
        let key = field.name.lowercased()
        guard DateField(rawValue: key) != nil else {
            throw Diagnostic.unknownDateField(field.name, at: field.range)
        }
        try expect(.from, context: "'extract(\(field.name)'", alternatives: [])
        let value = try parseExpression(after: "'FROM'")
        try expect(.rightParen, after: "the argument of extract", hint: Diagnostic.Hint.closeParenthesis)
        let range = SourceRange(nameToken.range.start, previous.range.end)
        let call = FunctionCall(name: Identifier(name: "extract", range: nameToken.range),
                                arguments: [.literal(.string(key), range: field.range), value], range: range)
        return .function(call)
    }

    /// case_expression = "CASE" [ expression ] "WHEN" expression "THEN" expression
    ///                   { "WHEN" expression "THEN" expression } [ "ELSE" expression ] "END" ;
    private mutating func parseCase() throws(Diagnostic) -> Expression {
        let start = advance().range.start
        try enter()
        defer { nesting -= 1 }
        var expression = CaseExpression(subject: nil, branches: [], otherwise: nil, range: SourceRange(start, start))
        if !check(.when) && !check(.end) && !check(.else) { expression.subject = try parseExpression(after: "'CASE'") }
        guard check(.when) else { throw expected("'WHEN'", after: "'CASE'", suggesting: ["WHEN"]) }
        while accept(.when) {
            let when = try parseExpression(after: "'WHEN'")
            if expression.subject == nil { try requireCondition(when, beside: "WHEN") }
            try expect(.then, context: "the WHEN condition", alternatives: [])
            let then = try parseExpression(after: "'THEN'")
            expression.branches.append(.init(when: when, then: then))
        }
        if accept(.else) { expression.otherwise = try parseExpression(after: "'ELSE'") }
        try expect(.end, context: expression.otherwise == nil ? "the CASE branches" : "the ELSE value",
                   alternatives: expression.otherwise == nil ? [.when, .else] : [])
        expression.range = SourceRange(start, previous.range.end)
        return .caseWhen(expression)
    }

    /// interval_literal = "INTERVAL" string ;
    ///
    /// The string is a whole number and a unit: `'30 days'`, `'1 month'`, `'-2 hours'`.
    private mutating func parseInterval() throws(Diagnostic) -> Expression {
        let start = advance().range.start
        let text = advance()
        let parts = text.value.split(separator: " ", omittingEmptySubsequences: true)
        var unitName = parts.count == 2 ? parts[1].lowercased() : ""
        if unitName.hasSuffix("s") { unitName.removeLast() }
        // A billion of any unit is far past any date: larger amounts are typos, and would overflow.
        guard parts.count == 2, let amount = Int(parts[0]), amount.magnitude <= 1_000_000_000,
              let unit = IntervalLiteral.Unit(rawValue: unitName) else {
            throw Diagnostic.invalidInterval(text.value, at: text.range)
        }
        return .interval(IntervalLiteral(amount: amount, unit: unit, range: SourceRange(start, text.range.end)))
    }

    /// identifier = plain_identifier | quoted_identifier ;
    mutating func parseIdentifier(after context: String, expecting what: String = "a name") throws(Diagnostic) -> Identifier {
        let token = current
        switch token.kind {
        case .identifier:
            advance()
            return Identifier(name: token.value, range: token.range)
        case .end:
            throw Diagnostic.expected(what, after: context, at: .at(previous.range.end))
        case .keyword(let keyword):
            throw Diagnostic.expected(what, after: context, foundKeyword: keyword, written: token.value, at: token.range)
        default:
            throw Diagnostic.expected(what, after: context, found: describe(token), at: token.range)
        }
    }

    private func comparisonOperator(_ kind: Token.Kind) -> ComparisonOperator? {
        guard case .symbol(let symbol) = kind else { return nil }
        switch symbol {
        case .equal: return .equal
        case .notEqual, .notEqualSQL: return .notEqual
        case .less: return .less
        case .lessOrEqual: return .lessOrEqual
        case .greater: return .greater
        case .greaterOrEqual: return .greaterOrEqual
        default: return nil
        }
    }

    // MARK: - Checks

    func requireCondition(_ expression: Expression, beside keyword: String? = nil) throws(Diagnostic) {
        guard expression.shape == .value else { return }
        throw Diagnostic.valueAsCondition(source.excerpt(expression.range), beside: keyword, at: expression.range)
    }

    private func requireValue(_ expression: Expression, beside token: Token) throws(Diagnostic) {
        guard expression.shape == .condition else { return }
        throw Diagnostic.conditionAsOperand(of: source.excerpt(token.range), at: expression.range)
    }

    private mutating func enter() throws(Diagnostic) {
        nesting += 1
        if nesting > Parser.maxNesting {
            throw Diagnostic.nestedTooDeeply(limit: Parser.maxNesting, at: current.range)
        }
    }

    private mutating func countOperator() throws(Diagnostic) {
        operators += 1
        if operators > Parser.maxOperators {
            throw Diagnostic.conditionTooLong(limit: Parser.maxOperators, at: previous.range)
        }
    }
}

/// The fields `extract(field FROM x)` takes.
public enum DateField: String, Hashable, Sendable, CaseIterable {
    case year, quarter, month, week, day, hour, minute, second, dow, doy, epoch
}
