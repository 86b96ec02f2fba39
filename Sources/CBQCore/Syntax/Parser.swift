/// A recursive-descent parser from tokens to ``Statement``s. Each `parseX()` is named after the
/// grammar rule it implements, and quotes it; `grammar/cbq.ebnf` holds them all (a test keeps
/// the two in step).
///
///     let statement = try Parser.parseStatement(SourceText("SELECT * FROM people.people"))
///
/// Errors are ``Diagnostic``s at the offending token. When the input simply stops too early,
/// the diagnostic is `.incomplete`, so a REPL can ask for another line instead of failing.
///
/// Statements are here, the expression grammar in `Parser+Expressions.swift`, and the helpers
/// that word errors in `Parser+Diagnostics.swift`.
public struct Parser {
    /// A statement from a script, parsed or not.
    public struct ParsedStatement: Sendable {
        public var range: SourceRange
        public var result: Result<Statement, Diagnostic>
    }

    /// Bounds that keep hostile input from exhausting the stack.
    static let maxNesting = 100
    static let maxOperators = 2_000

    // Internal, not private: the extensions in the other Parser+ files read and move them.
    let source: SourceText
    var tokens: [Token] = []
    var index = 0
    var nesting = 0
    var operators = 0

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
            throw Diagnostic.expectedStatement(at: .at(source.utf8.count))
        }
        var parser = Parser(source: source)
        let statement = try parser.parse(first.range)
        if pieces.count > 1 {
            throw Diagnostic.expectedOneStatement(found: pieces.count, at: pieces[1].range)
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
            if let word = setOperationWord { throw Diagnostic.setOperation(word, at: current.range) }
            throw unexpectedAfterStatement(statement)
        }
        return statement
    }

    // MARK: - Statements

    /// statement = select_statement | write_statement | explain_statement ;
    /// explain_statement = "EXPLAIN" [ "ANALYZE" ] ( select_statement | write_statement ) ;
    private mutating func parseStatement() throws(Diagnostic) -> Statement {
        if case .keyword(.explain) = current.kind {
            let start = advance().range.start
            var analyze = false
            if isWord("analyze") || isWord("analyse") {
                advance()
                analyze = true
            }
            let inner = try parseStatementBody()
            return .explain(inner, analyze: analyze, range: SourceRange(start, inner.range.end))
        }
        return try parseStatementBody()
    }

    /// A SELECT or a write; anything else is "expected a statement", with a did-you-mean over
    /// every word a statement may start with.
    private mutating func parseStatementBody() throws(Diagnostic) -> Statement {
        if startsWrite { return .write(try parseWriteStatement()) }
        if isWord("with") { throw Diagnostic.commonTableExpression(at: current.range) }
        if !check(.select) {
            let starts = ["SELECT", "INSERT", "UPDATE", "DELETE"] + (previous.kind == .end ? ["EXPLAIN"] : [])
            throw expected(orList(starts.map { "'\($0)'" }), after: previous.kind == .end ? "the start of a statement" : "'EXPLAIN'",
                           suggesting: starts)
        }
        return .select(try parseSelectStatement())
    }

    /// select_statement = "SELECT" [ "DISTINCT" ] select_list "FROM" table_reference { join_clause }
    ///                    [ where_clause ] [ group_clause ] [ having_clause ] [ order_clause ] [ limit_offset ] ;
    /// limit_offset = limit_clause [ offset_clause ] | offset_clause [ limit_clause ] ;
    mutating func parseSelectStatement() throws(Diagnostic) -> SelectStatement {
        let start = try expect(.select, context: "the start of a statement", alternatives: [.explain]).range.start
        let distinct = accept(.distinct)
        if distinct, case .symbol(.star) = current.kind {
            throw Diagnostic.distinctStar(at: current.range)
        }
        if distinct, check(.on) { throw Diagnostic.distinctOn(at: current.range) }
        let items = try parseSelectList()
        try expect(.from, context: "the select list", alternatives: [])
        let table = try parseTableReference()
        var statement = SelectStatement(distinct: distinct, items: items, source: table, range: SourceRange(start, table.range.end))
        while let join = try parseJoinClause() { statement.joins.append(join) }
        if accept(.where) { statement.filter = try parseWhereClause() }
        if check(.group) { statement.grouping = try parseGroupClause() }
        if accept(.having) { statement.having = try parseHavingClause() }
        if check(.order) { statement.ordering = try parseOrderClause() }
        // Either order, as PostgreSQL takes them.
        if accept(.limit) {
            statement.limit = try parseCount(after: "LIMIT")
            if accept(.offset) { statement.offset = try parseCount(after: "OFFSET") }
        } else if accept(.offset) {
            statement.offset = try parseCount(after: "OFFSET")
            if accept(.limit) { statement.limit = try parseCount(after: "LIMIT") }
        }
        statement.range.end = previous.range.end
        return statement
    }

    /// select_list = "*" | select_item { "," select_item } ;
    mutating func parseSelectList() throws(Diagnostic) -> SelectList {
        if case .symbol(.star) = current.kind {
            let star = advance()
            if case .symbol(.comma) = current.kind {
                throw Diagnostic.starWithOtherColumns(at: current.range)
            }
            return .all(range: star.range)
        }
        var items: [SelectItem] = []
        repeat {
            items.append(try parseSelectItem())
        } while acceptSymbol(.comma)
        return .items(items)
    }

    /// select_item = expression [ [ "AS" ] identifier ] ;
    private mutating func parseSelectItem() throws(Diagnostic) -> SelectItem {
        if case .symbol(.star) = current.kind {
            throw Diagnostic.starWithOtherColumns(at: current.range)
        }
        let expression = try parseExpression(after: previous.kind == .end ? "'SELECT'" : "'\(source.excerpt(previous.range))'")
        var item = SelectItem(expression: expression)
        if accept(.as) {
            item.alias = try parseIdentifier(after: "'AS'", expecting: "a column alias")
        } else if current.kind == .identifier {
            item.alias = try parseIdentifier(after: source.excerpt(expression.range))
        }
        item.range.end = previous.range.end
        return item
    }

    /// join_clause = "," table_reference | "CROSS" "JOIN" table_reference
    ///             | [ "INNER" ] "JOIN" table_reference "ON" expression
    ///             | "LEFT" [ "OUTER" ] "JOIN" table_reference "ON" expression ;
    private mutating func parseJoinClause() throws(Diagnostic) -> JoinClause? {
        let start = current.range.start
        if startsOtherJoin {
            // CROSS JOIN is a comma join; RIGHT, FULL and NATURAL are not supported, and are
            // never read as an alias (that would run them as an inner join).
            let word = advance()
            guard word.value.lowercased() == "cross" else {
                throw Diagnostic.unsupportedJoin(word.value.uppercased(), at: word.range.union(current.range))
            }
            try expect(.join, context: "'CROSS'", alternatives: [])
            let table = try parseTableReference()
            return JoinClause(kind: .comma, table: table, condition: nil, range: SourceRange(start, table.range.end))
        }
        if acceptSymbol(.comma) {
            let table = try parseTableReference()
            return JoinClause(kind: .comma, table: table, condition: nil, range: SourceRange(start, table.range.end))
        }
        let kind: JoinClause.Kind
        if accept(.left) {
            _ = accept(.outer)
            kind = .left
        } else if accept(.inner) {
            kind = .inner
        } else if check(.join) {
            kind = .inner
        } else {
            return nil
        }
        try expect(.join, context: kind == .left ? "'LEFT'" : "'INNER'", alternatives: [])
        let table = try parseTableReference()
        if isWord("using") { throw Diagnostic.unsupportedJoin("USING", at: current.range) }
        guard accept(.on) else {
            throw expected("'ON'", after: "'\(source.excerpt(table.range))'", hint: Diagnostic.Hint.joinCondition)
        }
        let condition = try parseExpression(after: "'ON'")
        try requireCondition(condition, beside: "ON")
        return JoinClause(kind: kind, table: table, condition: condition, range: SourceRange(start, condition.range.end))
    }

    /// table_reference = identifier "." identifier [ [ "AS" ] identifier ] ;
    ///
    /// - Parameter bareAlias: whether a name after the table is its alias without AS (not in a
    ///   write, where the word after the table, SET, is no keyword).
    mutating func parseTableReference(after context: String = "'FROM'", bareAlias: Bool = true) throws(Diagnostic) -> TableReference {
        let service = try parseIdentifier(after: context, expecting: "an endpoint such as people.people")
        guard acceptSymbol(.dot) else {
            if current.kind == .end {
                throw Diagnostic.expectedEndpoint(afterService: service.name, at: .at(service.range.end))
            }
            throw Diagnostic.expectedDot(afterService: service.name, at: current.range)
        }
        let endpoint = try parseIdentifier(after: "'\(service.name).'", expecting: "an endpoint name")
        if case .symbol(.dot) = current.kind {
            throw Diagnostic.tooManyEndpointParts(at: current.range)
        }
        var table = TableReference(service: service, endpoint: endpoint, range: service.range.union(endpoint.range))
        if accept(.as) {
            table.alias = try parseIdentifier(after: "'AS'", expecting: "a table alias")
        } else if bareAlias, current.kind == .identifier, !looksLikeMisspeltClause, !startsOtherJoin, setOperationWord == nil {
            table.alias = try parseIdentifier(after: "'\(table)'")
        }
        if let alias = table.alias { table.range = table.range.union(alias.range) }
        return table
    }

    /// `UNION`, `INTERSECT` or `EXCEPT`, upper case: words cbq does not take as an alias, so
    /// that `FROM a.b UNION SELECT …` is reported as what it is.
    var setOperationWord: String? {
        ["union", "intersect", "except"].first(where: isWord)?.uppercased()
    }

    /// `RIGHT JOIN`, `FULL [OUTER] JOIN`, `CROSS JOIN`, `NATURAL JOIN`: words, not keywords.
    private var startsOtherJoin: Bool {
        guard ["right", "full", "cross", "natural"].contains(where: isWord) else { return false }
        switch peek.kind {
        case .keyword(.join), .keyword(.outer): return true
        // NATURAL LEFT JOIN, NATURAL INNER JOIN, NATURAL FULL JOIN: only NATURAL comes before those.
        case .keyword(.left), .keyword(.inner): return isWord("natural")
        case .identifier: return isWord("natural") && ["full", "right"].contains(peek.value.lowercased())
        default: return false
        }
    }

    /// `FROM a.b WHRE x = 1`: a word close to a clause keyword, followed by what could not
    /// follow an alias, is that keyword misspelt (the error says so), not an alias.
    private var looksLikeMisspeltClause: Bool {
        let clauses = ["WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "JOIN", "INNER", "LEFT"]
        guard Suggestion.closest(to: current.value, among: clauses) != nil else { return false }
        switch peek.kind {
        case .end, .symbol(.comma), .symbol(.rightParen), .symbol(.semicolon): return false
        case .keyword(let next): return ![.where, .group, .having, .order, .limit, .offset, .join, .inner, .left, .on].contains(next)
        default: return true
        }
    }

    /// where_clause = "WHERE" expression ;
    mutating func parseWhereClause() throws(Diagnostic) -> Expression {
        let expression = try parseExpression(after: "'WHERE'")
        try requireCondition(expression)
        return expression
    }

    /// group_clause = "GROUP" "BY" expression { "," expression } ;
    private mutating func parseGroupClause() throws(Diagnostic) -> [Expression] {
        advance()
        try expect(.by, context: "'GROUP'", alternatives: [])
        var keys: [Expression] = []
        repeat {
            keys.append(try parseExpression(after: keys.isEmpty ? "'GROUP BY'" : "','"))
        } while acceptSymbol(.comma)
        return keys
    }

    /// having_clause = "HAVING" expression ;
    private mutating func parseHavingClause() throws(Diagnostic) -> Expression {
        let expression = try parseExpression(after: "'HAVING'")
        try requireCondition(expression)
        return expression
    }

    /// order_clause = "ORDER" "BY" order_key { "," order_key } ;
    /// order_key = expression [ "ASC" | "DESC" ] [ "NULLS" ( "FIRST" | "LAST" ) ] ;
    private mutating func parseOrderClause() throws(Diagnostic) -> [OrderKey] {
        advance()
        try expect(.by, context: "'ORDER'", alternatives: [])
        var keys: [OrderKey] = []
        repeat {
            let expression = try parseExpression(after: keys.isEmpty ? "'ORDER BY'" : "','")
            var key = OrderKey(expression: expression)
            if accept(.desc) {
                key.descending = true
            } else {
                _ = accept(.asc)
            }
            if isWord("nulls") {
                let nulls = advance()
                if isWord("first") { key.nullsFirst = true }
                else if isWord("last") { key.nullsFirst = false }
                else { throw expected("'FIRST' or 'LAST'", after: "'\(nulls.value)'", suggesting: ["FIRST", "LAST"]) }
                advance()
            }
            key.range.end = previous.range.end
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
                // A whole number too long for 64 bits is too large, not "not a whole number".
                if token.value.allSatisfy(\.isNumber) { throw Diagnostic.countTooLarge(keyword, at: token.range) }
                throw Diagnostic.invalidCount(keyword, at: token.range)
            }
            guard value <= CountClause.largest else { throw Diagnostic.countTooLarge(keyword, at: token.range) }
            return .literal(value, range: token.range)
        case .parameter:
            advance()
            return .parameter(token.value, range: token.range)
        case .symbol(.minus) where peek.kind == .number:
            throw Diagnostic.invalidCount(keyword, at: SourceRange(token.range.start, peek.range.end))
        case .end:
            throw Diagnostic.expectedCount(after: keyword, at: .at(previous.range.end))
        default:
            throw Diagnostic.expectedCount(after: keyword, found: describe(token), at: token.range)
        }
    }

    // MARK: - Tokens

    var current: Token { tokens[index] }
    var peek: Token { tokens[min(index + 1, tokens.count - 1)] }
    var previous: Token { index > 0 ? tokens[index - 1] : Token(.end, .at(tokens[0].range.start), "") }

    @discardableResult
    mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func check(_ keyword: Keyword) -> Bool {
        if case .keyword(keyword) = current.kind { return true }
        return false
    }

    mutating func accept(_ keyword: Keyword) -> Bool {
        if check(keyword) { advance(); return true }
        return false
    }

    /// Whether the current token is the unquoted name `word` (case-insensitive): the words
    /// that are keywords only where they stand, like `NULLS FIRST` and `INTERVAL`.
    func isWord(_ word: String) -> Bool {
        current.kind == .identifier && source.utf8[current.range.start] != UInt8(ascii: "\"")
            && current.value.lowercased() == word
    }

    mutating func acceptSymbol(_ symbol: Symbol) -> Bool {
        if case .symbol(symbol) = current.kind { advance(); return true }
        return false
    }
}
