/// A recursive-descent parser from tokens to ``Statement``s. Each `parseX()` is named after the
/// grammar rule it implements, and quotes it; `grammar/cbq.ebnf` holds them all (a test keeps
/// the two in step).
///
///     let statement = try Parser.parseStatement(SourceText("SELECT * FROM people.people"))
///
/// Errors are ``Diagnostic``s at the offending token. When the input simply stops too early,
/// the diagnostic is `.incomplete`, so a REPL can ask for another line instead of failing.
public struct Parser {
    /// A statement from a script, parsed or not.
    public struct ParsedStatement: Sendable {
        public var range: SourceRange
        public var result: Result<Statement, Diagnostic>
    }

    /// Bounds that keep hostile input from exhausting the stack.
    static let maxNesting = 100
    static let maxOperators = 2_000

    private let source: SourceText
    private var tokens: [Token] = []
    private var index = 0
    private var nesting = 0
    private var operators = 0

    private init(source: SourceText) {
        self.source = source
    }

    // MARK: - Entry points

    /// script = [ statement ] { ";" [ statement ] } ;
    ///
    /// Every statement of a script, each parsed on its own.
    public static func parseScript(_ source: SourceText) -> [ParsedStatement] {
        StatementSplitter.split(source).map { piece in
            var parser = Parser(source: source)
            do throws(Diagnostic) {
                return ParsedStatement(range: piece.range, result: .success(try parser.parse(piece.range)))
            } catch {
                return ParsedStatement(range: piece.range, result: .failure(error))
            }
        }
    }

    /// Exactly one statement (a trailing `;` is allowed).
    public static func parseStatement(_ source: SourceText) throws(Diagnostic) -> Statement {
        let pieces = StatementSplitter.split(source)
        guard let first = pieces.first else {
            throw Diagnostic(.incomplete, "expected a statement", at: .at(source.utf8.count),
                             hint: "e.g. SELECT * FROM people.people LIMIT 10")
        }
        var parser = Parser(source: source)
        let statement = try parser.parse(first.range)
        if pieces.count > 1 {
            throw Diagnostic(.syntax, "expected one statement, found \(pieces.count)", at: pieces[1].range,
                             hint: "run a script to run several statements")
        }
        return statement
    }

    /// Whether `source` is ready to run, for a REPL deciding between running and a continuation
    /// prompt: complete when every statement ends with `;` (or is a syntax error to report).
    public enum InputStatus: Equatable, Sendable { case empty, complete, incomplete }

    public static func inputStatus(_ source: SourceText) -> InputStatus {
        // The splitter only ends a statement at a ';' outside strings, quoted names and
        // comments, so an open one always leaves the last piece unterminated. A statement that
        // ends with ';' is complete, even if it then fails to parse: report it, do not wait.
        guard let last = StatementSplitter.split(source).last else { return .empty }
        return last.terminated ? .complete : .incomplete
    }

    private mutating func parse(_ range: SourceRange) throws(Diagnostic) -> Statement {
        var lexer = Lexer(source, range: range)
        tokens = try lexer.tokenize()
        index = 0
        let statement = try parseStatement()
        if current.kind != .end {
            throw unexpectedAfterStatement(statement)
        }
        return statement
    }

    // MARK: - Statements

    /// statement = select_statement | explain_statement ;
    /// explain_statement = "EXPLAIN" select_statement ;
    private mutating func parseStatement() throws(Diagnostic) -> Statement {
        if case .keyword(.explain) = current.kind {
            let start = advance().range.start
            let select = try parseSelectStatement()
            return .explain(.select(select), range: SourceRange(start, select.range.end))
        }
        return .select(try parseSelectStatement())
    }

    /// select_statement = "SELECT" select_list "FROM" table_reference [ where_clause ]
    ///                    [ order_clause ] [ limit_clause ] [ offset_clause ] ;
    private mutating func parseSelectStatement() throws(Diagnostic) -> SelectStatement {
        let start = try expect(.select, context: "the start of a statement", alternatives: [.explain]).range.start
        let items = try parseSelectList()
        try expect(.from, context: "the select list", alternatives: [])
        let table = try parseTableReference()
        var statement = SelectStatement(items: items, source: table, filter: nil, ordering: [], limit: nil,
                                        offset: nil, range: SourceRange(start, table.range.end))
        if accept(.where) { statement.filter = try parseWhereClause() }
        if check(.order) { statement.ordering = try parseOrderClause() }
        if accept(.limit) { statement.limit = try parseCount(after: "LIMIT") }
        if accept(.offset) { statement.offset = try parseCount(after: "OFFSET") }
        statement.range.end = previous.range.end
        return statement
    }

    /// select_list = "*" | count_star | select_item { "," select_item } ;
    /// count_star = "COUNT" "(" "*" ")" [ [ "AS" ] identifier ] ;
    private mutating func parseSelectList() throws(Diagnostic) -> SelectList {
        if case .symbol(.star) = current.kind {
            let star = advance()
            if case .symbol(.comma) = current.kind {
                throw Diagnostic(.syntax, "'*' cannot be combined with other columns", at: current.range,
                                 hint: "list the columns you want, or use * alone")
            }
            return .all(range: star.range)
        }
        if current.kind == .identifier, current.value.uppercased() == "COUNT", case .symbol(.leftParen) = peek.kind {
            let start = advance().range.start
            advance()
            guard case .symbol(.star) = current.kind else {
                throw Diagnostic(.syntax, "only COUNT(*) is supported", at: current.range,
                                 hint: "cbq counts rows: COUNT(*)")
            }
            advance()
            try expect(.rightParen, after: "'COUNT(*'")
            var range = SourceRange(start, previous.range.end)
            var alias: String?
            if accept(.as) || current.kind == .identifier {
                alias = try parseIdentifier(after: "'AS'").name
                range.end = previous.range.end
            }
            if case .symbol(.comma) = current.kind {
                throw Diagnostic(.syntax, "COUNT(*) cannot be combined with other columns", at: current.range,
                                 hint: "cbq has no GROUP BY; run COUNT(*) as a query of its own")
            }
            return .countAll(alias: alias, range: range)
        }
        var items: [SelectItem] = []
        repeat {
            items.append(try parseSelectItem())
        } while acceptSymbol(.comma)
        return .columns(items)
    }

    /// select_item = identifier [ [ "AS" ] identifier ] ;
    private mutating func parseSelectItem() throws(Diagnostic) -> SelectItem {
        if case .symbol(.star) = current.kind {
            throw Diagnostic(.syntax, "'*' cannot be combined with other columns", at: current.range,
                             hint: "list the columns you want, or use * alone")
        }
        let column = try parseIdentifier(after: previous.kind == .end ? "'SELECT'" : "'\(source.slice(previous.range))'",
                                         expecting: "a column name")
        if case .symbol(.leftParen) = current.kind {
            throw Diagnostic(.syntax, "unknown function '\(column.name)'", at: column.range,
                             hint: "the only function is COUNT(*)")
        }
        if accept(.as) {
            return SelectItem(column: column, alias: try parseIdentifier(after: "'AS'", expecting: "a column alias"))
        }
        if current.kind == .identifier {
            return SelectItem(column: column, alias: try parseIdentifier(after: column.name))
        }
        return SelectItem(column: column, alias: nil)
    }

    /// table_reference = identifier "." identifier ;
    private mutating func parseTableReference() throws(Diagnostic) -> TableReference {
        let service = try parseIdentifier(after: "'FROM'", expecting: "an endpoint such as people.people")
        guard acceptSymbol(.dot) else {
            if current.kind == .end {
                throw Diagnostic(.incomplete, "expected '.' and an endpoint after '\(service.name)'",
                                 at: .at(service.range.end), hint: "name the service and the endpoint: \(service.name).\(service.name)")
            }
            throw Diagnostic(.syntax, "expected '.' after the service name '\(service.name)'", at: current.range,
                             hint: "endpoints are named service.endpoint, e.g. people.people or attachments.notes")
        }
        let endpoint = try parseIdentifier(after: "'\(service.name).'", expecting: "an endpoint name")
        if case .symbol(.dot) = current.kind {
            throw Diagnostic(.syntax, "an endpoint has two parts, service.endpoint", at: current.range,
                             hint: "e.g. services.service_offerings")
        }
        return TableReference(service: service, endpoint: endpoint, range: service.range.union(endpoint.range))
    }

    /// where_clause = "WHERE" expression ;
    private mutating func parseWhereClause() throws(Diagnostic) -> Expression {
        let expression = try parseExpression(after: "'WHERE'")
        try requireCondition(expression)
        return expression
    }

    /// order_clause = "ORDER" "BY" order_key { "," order_key } ;
    /// order_key = identifier [ "ASC" | "DESC" ] ;
    private mutating func parseOrderClause() throws(Diagnostic) -> [OrderKey] {
        advance()
        try expect(.by, context: "'ORDER'", alternatives: [])
        var keys: [OrderKey] = []
        repeat {
            let column = try parseIdentifier(after: keys.isEmpty ? "'ORDER BY'" : "','", expecting: "a column name")
            var key = OrderKey(column: column, descending: false, range: column.range)
            if accept(.desc) {
                key.descending = true
                key.range.end = previous.range.end
            } else if accept(.asc) {
                key.range.end = previous.range.end
            }
            keys.append(key)
        } while acceptSymbol(.comma)
        return keys
    }

    /// limit_clause = "LIMIT" count ;
    /// offset_clause = "OFFSET" count ;
    /// count = integer | parameter ;
    /// integer = digit { digit } ;
    private mutating func parseCount(after keyword: String) throws(Diagnostic) -> CountClause {
        let token = current
        switch token.kind {
        case .number:
            advance()
            guard let value = Int(token.value), value >= 0 else {
                throw Diagnostic(.syntax, "\(keyword) needs a whole number of 0 or more", at: token.range,
                                 label: "not a whole number of rows")
            }
            return .literal(value, range: token.range)
        case .parameter:
            advance()
            return .parameter(token.value, range: token.range)
        case .end:
            throw Diagnostic(.incomplete, "expected a number after '\(keyword)'", at: .at(previous.range.end))
        default:
            throw Diagnostic(.syntax, "expected a number after '\(keyword)', found \(describe(token))", at: token.range,
                             label: "expected a whole number or a :parameter")
        }
    }

    // MARK: - Expressions

    /// expression = or_expression ;
    private mutating func parseExpression(after context: String) throws(Diagnostic) -> Expression {
        if current.kind == .end {
            throw Diagnostic(.incomplete, "expected a condition after \(context)", at: .at(previous.range.end),
                             hint: "e.g. last_name = 'Doe'")
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
                throw Diagnostic(.incomplete, "expected 'LIKE', 'IN' or 'BETWEEN' after 'NOT'", at: .at(notToken.range.end))
            } else {
                throw Diagnostic(.syntax, "expected 'LIKE', 'IN' or 'BETWEEN' after 'NOT', found \(describe(peek))",
                                 at: peek.range, hint: "to negate a condition, put NOT before it: NOT (a = 1)")
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
                throw expected("'NULL'", after: isNot ? "'IS NOT'" : "'IS'",
                               hint: "cbq supports IS NULL and IS NOT NULL; compare booleans with = TRUE")
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
                throw expected("'AND'", after: "'BETWEEN \(source.slice(low.range))'", hint: "BETWEEN low AND high")
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
            throw Diagnostic(.syntax, "an IN list cannot be empty", at: current.range, hint: "e.g. state IN ('CA', 'NY')")
        }
        var items: [Expression] = []
        repeat {
            let item = try parseOperand(after: items.isEmpty ? "'('" : "','")
            if !item.isValue {
                throw Diagnostic(.syntax, "expected a value in the IN list", at: item.range)
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
                throw Diagnostic(.syntax, "unknown function '\(token.value)'", at: token.range,
                                 hint: "cbq has no functions in WHERE; compare columns with values")
            }
            if case .symbol(.dot) = current.kind {
                throw Diagnostic(.syntax, "a column name cannot have a '.'", at: current.range,
                                 hint: "name the column alone: the endpoint goes after FROM")
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
                       hint: "close the parenthesis opened here")
            return .grouped(inner, range: SourceRange(token.range.start, previous.range.end))
        case .end:
            throw Diagnostic(.incomplete, "expected a value after \(context)", at: .at(previous.range.end),
                             label: "expected a number, string or column name")
        case .keyword(let keyword):
            throw Diagnostic(.syntax, "expected a value after \(context), found '\(keyword.rawValue)'", at: token.range,
                             label: "expected a number, string or column name",
                             hint: "to use '\(token.value)' as a column name, quote it: \"\(token.value)\"")
        default:
            throw Diagnostic(.syntax, "expected a value after \(context), found \(describe(token))", at: token.range,
                             label: "expected a number, string or column name")
        }
    }

    /// identifier = plain_identifier | quoted_identifier ;
    private mutating func parseIdentifier(after context: String, expecting what: String = "a name") throws(Diagnostic) -> Identifier {
        let token = current
        switch token.kind {
        case .identifier:
            advance()
            return Identifier(name: token.value, range: token.range)
        case .end:
            throw Diagnostic(.incomplete, "expected \(what) after \(context)", at: .at(previous.range.end))
        case .keyword(let keyword):
            throw Diagnostic(.syntax, "expected \(what) after \(context), found '\(keyword.rawValue)'", at: token.range,
                             hint: "'\(token.value)' is a keyword; to use it as a name, quote it: \"\(token.value)\"")
        default:
            throw Diagnostic(.syntax, "expected \(what) after \(context), found \(describe(token))", at: token.range)
        }
    }

    // MARK: - Checks

    private func requireCondition(_ expression: Expression, beside keyword: String? = nil) throws(Diagnostic) {
        guard !expression.isCondition else { return }
        let what = source.slice(expression.range)
        throw Diagnostic(.syntax, keyword.map { "expected a condition beside '\($0)', found the value \(what)" }
                         ?? "expected a condition, found the value \(what)",
                         at: expression.range, label: "this is a value, not true or false",
                         hint: "compare it, e.g. \(what) = TRUE or \(what) IS NOT NULL")
    }

    private func requireValue(_ expression: Expression, beside token: Token) throws(Diagnostic) {
        guard !expression.isValue else { return }
        throw Diagnostic(.syntax, "'\(source.slice(token.range))' compares values, not conditions", at: expression.range,
                         label: "this is a condition", hint: "combine conditions with AND, OR and NOT")
    }

    private mutating func enter() throws(Diagnostic) {
        nesting += 1
        if nesting > Parser.maxNesting {
            throw Diagnostic(.syntax, "expression nested too deeply (more than \(Parser.maxNesting) levels)", at: current.range)
        }
    }

    private mutating func countOperator() throws(Diagnostic) {
        operators += 1
        if operators > Parser.maxOperators {
            throw Diagnostic(.syntax, "condition too long (more than \(Parser.maxOperators) ANDs and ORs)", at: previous.range,
                             hint: "use IN (…) for long lists of values")
        }
    }

    // MARK: - Errors

    /// "expected 'FROM' after the select list, found 'FORM'" with a did-you-mean hint.
    @discardableResult
    private mutating func expect(_ keyword: Keyword, context: String, alternatives: [Keyword]) throws(Diagnostic) -> Token {
        if check(keyword) { return advance() }
        let wanted = [keyword] + alternatives
        let names = wanted.map { "'\($0.rawValue)'" }
        throw expected(orList(names), after: context, suggesting: wanted.map(\.rawValue))
    }

    private mutating func expect(_ symbol: Symbol, after context: String, hint: String? = nil) throws(Diagnostic) {
        if case .symbol(symbol) = current.kind { advance(); return }
        throw expected("'\(symbol.rawValue)'", after: context, hint: hint)
    }

    private func expected(_ what: String, after context: String, suggesting words: [String] = [], hint: String? = nil) -> Diagnostic {
        if current.kind == .end {
            return Diagnostic(.incomplete, "expected \(what) after \(context)", at: .at(previous.range.end), hint: hint)
        }
        let suggestion = suggest(for: current, among: words)
        return Diagnostic(.syntax, "expected \(what) after \(context), found \(describe(current))", at: current.range,
                          hint: suggestion.map { "did you mean '\($0)'?" } ?? hint)
    }

    /// What may follow a complete statement depends on the clauses it already has.
    private func unexpectedAfterStatement(_ statement: Statement) -> Diagnostic {
        // What may follow depends on the statement's last clause.
        var innermost = statement
        while case .explain(let inner, _) = innermost { innermost = inner }
        guard case .select(let select) = innermost else { return Diagnostic(.syntax, "unexpected text after the statement", at: current.range) }
        var next: [String] = []
        if select.filter != nil { next += ["AND", "OR"] }
        if select.filter == nil && select.ordering.isEmpty && select.limit == nil && select.offset == nil { next.append("WHERE") }
        if select.ordering.isEmpty && select.limit == nil && select.offset == nil { next.append("ORDER BY") }
        if select.limit == nil && select.offset == nil { next.append("LIMIT") }
        if select.offset == nil { next.append("OFFSET") }
        let suggestion = suggest(for: current, among: next.map { $0 == "ORDER BY" ? "ORDER" : $0 })
        let context: String
        switch previous.kind {
        case .keyword, .identifier, .symbol: context = "'\(source.slice(previous.range))'"
        default: context = source.slice(previous.range)
        }
        var hint = suggestion.map { "did you mean '\($0 == "ORDER" ? "ORDER BY" : $0)'?" }
        if hint == nil, case .identifier = current.kind, previous.kind == .identifier || previous.kind == .string || previous.kind == .number {
            hint = "end the statement with ';' before starting another"
        }
        return Diagnostic(.syntax, "expected \(orList(next.map { "'\($0)'" } + ["';'"])) after \(context), found \(describe(current))",
                          at: current.range, hint: hint)
    }

    private func suggest(for token: Token, among words: [String]) -> String? {
        guard !words.isEmpty else { return nil }
        switch token.kind {
        case .identifier, .keyword: break
        default: return nil
        }
        let word = token.value.uppercased()
        let best = words.map { ($0, editDistance(word, $0)) }.min { $0.1 < $1.1 }
        guard let (candidate, distance) = best, distance > 0 else { return nil }
        let allowed = candidate.count <= 3 ? 1 : 2
        return distance <= allowed ? candidate : nil
    }

    private func describe(_ token: Token) -> String {
        switch token.kind {
        case .end: return "end of input"
        case .string: return "the string \(source.slice(token.range))"
        case .number: return "the number \(token.value)"
        case .identifier: return "'\(source.slice(token.range))'"
        case .parameter: return "the parameter :\(token.value)"
        case .keyword, .symbol: return "'\(source.slice(token.range))'"
        }
    }

    private func orList(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " or " + items.last!
    }

    // MARK: - Tokens

    private var current: Token { tokens[index] }
    private var peek: Token { tokens[min(index + 1, tokens.count - 1)] }
    private var previous: Token { index > 0 ? tokens[index - 1] : Token(.end, .at(tokens[0].range.start), "") }

    @discardableResult
    private mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private func check(_ keyword: Keyword) -> Bool {
        if case .keyword(keyword) = current.kind { return true }
        return false
    }

    private mutating func accept(_ keyword: Keyword) -> Bool {
        if check(keyword) { advance(); return true }
        return false
    }

    private mutating func acceptSymbol(_ symbol: Symbol) -> Bool {
        if case .symbol(symbol) = current.kind { advance(); return true }
        return false
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

/// Levenshtein distance with adjacent transpositions (so `FORM` is one step from `FROM`).
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { table[i][0] = i }
    for j in 0...b.count { table[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
            }
        }
    }
    return table[a.count][b.count]
}

/// "Did you mean …?" for names the user misspelled.
public enum Suggestion {
    /// The candidate closest to `word` (case-insensitively), if it is close enough to be a typo.
    public static func closest(to word: String, among candidates: [String]) -> String? {
        let best = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }.min { $0.1 < $1.1 }
        guard let (candidate, distance) = best, distance > 0, distance <= max(1, min(2, candidate.count / 3)) else { return nil }
        return candidate
    }
}
