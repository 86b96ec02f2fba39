/// The expression grammar: conditions after WHERE, their operands, and names.
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

    /// predicate = operand [ comparison_operator operand
    ///                     | [ "NOT" ] "LIKE" operand
    ///                     | "IS" [ "NOT" ] "NULL"
    ///                     | [ "NOT" ] "IN" "(" operand { "," operand } ")"
    ///                     | [ "NOT" ] "BETWEEN" operand "AND" operand ] ;
    /// comparison_operator = "=" | "!=" | "<>" | "<" | "<=" | ">" | ">=" ;
    private mutating func parsePredicate() throws(Diagnostic) -> Expression {
        let left = try parseOperand(after: previous.kind == .end ? "the start" : "'\(source.slice(previous.range))'")
        if let op = comparisonOperator(current.kind) {
            let opToken = advance()
            try requireValue(left, beside: opToken)
            let right = try parseOperand(after: "'\(source.slice(opToken.range))'")
            try requireValue(right, beside: opToken)
            return .comparison(left, op, right, range: left.range.union(right.range))
        }
        var negated = false
        if check(.not) {
            let notToken = current
            if case .keyword(let next) = peek.kind, [.like, .in, .between].contains(next) {
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
        switch current.kind {
        case .keyword(.like):
            advance()
            try requireValue(left, beside: keywordToken)
            let pattern = try parseOperand(after: negated ? "'NOT LIKE'" : "'LIKE'")
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
            let low = try parseOperand(after: "'BETWEEN'")
            try requireValue(low, beside: keywordToken)
            guard accept(.and) else {
                throw expected("'AND'", after: "'BETWEEN \(source.slice(low.range))'", hint: Diagnostic.Hint.betweenBounds)
            }
            let high = try parseOperand(after: "'AND'")
            try requireValue(high, beside: keywordToken)
            return .between(left, low: low, high: high, negated: negated,
                            range: left.range.union(high.range))
        default:
            return left
        }
    }

    /// in_list = "(" operand { "," operand } ")" ;
    private mutating func parseInList(_ value: Expression, negated: Bool) throws(Diagnostic) -> Expression {
        try expect(.leftParen, after: negated ? "'NOT IN'" : "'IN'")
        if case .symbol(.rightParen) = current.kind {
            throw Diagnostic.emptyInList(at: current.range)
        }
        var items: [Expression] = []
        repeat {
            let item = try parseOperand(after: items.isEmpty ? "'('" : "','")
            if !item.isValue {
                throw Diagnostic.expectedValueInList(at: item.range)
            }
            items.append(item)
        } while acceptSymbol(.comma)
        try expect(.rightParen, after: "the IN list")
        return .inList(value, items, negated: negated, range: SourceRange(value.range.start, previous.range.end))
    }

    /// operand = identifier | literal | parameter | "(" expression ")" ;
    /// literal = string | number | "TRUE" | "FALSE" | "NULL" ;
    private mutating func parseOperand(after context: String) throws(Diagnostic) -> Expression {
        let token = current
        switch token.kind {
        case .identifier:
            advance()
            if case .symbol(.leftParen) = current.kind {
                throw Diagnostic.unknownFunctionInCondition(token.value, at: token.range)
            }
            if case .symbol(.dot) = current.kind {
                throw Diagnostic.qualifiedColumn(at: current.range)
            }
            return .column(Identifier(name: token.value, range: token.range))
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
        case .parameter:
            advance()
            return .parameter(token.value, range: token.range)
        case .symbol(.leftParen):
            advance()
            try enter()
            defer { nesting -= 1 }
            let inner = try parseExpression(after: "'('")
            try expect(.rightParen, after: "'\(source.slice(SourceRange(token.range.start, previous.range.end)))'",
                       hint: Diagnostic.Hint.closeParenthesis)
            return .grouped(inner, range: SourceRange(token.range.start, previous.range.end))
        case .end:
            throw Diagnostic.expectedValue(after: context, at: .at(previous.range.end))
        case .keyword(let keyword):
            throw Diagnostic.expectedValue(after: context, foundKeyword: keyword, written: token.value, at: token.range)
        default:
            throw Diagnostic.expectedValue(after: context, found: describe(token), at: token.range)
        }
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
        guard !expression.isCondition else { return }
        throw Diagnostic.valueAsCondition(source.slice(expression.range), beside: keyword, at: expression.range)
    }

    private func requireValue(_ expression: Expression, beside token: Token) throws(Diagnostic) {
        guard !expression.isValue else { return }
        throw Diagnostic.conditionAsOperand(of: source.slice(token.range), at: expression.range)
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

extension Expression {
    /// True for expressions that stand for a value (a column, a literal, a parameter).
    var isValue: Bool {
        switch self {
        case .column, .literal, .parameter: return true
        case .grouped(let inner, _): return inner.isValue
        default: return false
        }
    }
}
