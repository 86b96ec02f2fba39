/// The write statements. Their words (INSERT, INTO, VALUES, UPDATE, SET, DELETE, RETURNING)
/// are keywords only where they stand, so a column named `set` or `values` still reads as one.
extension Parser {
    /// The words that start a write statement.
    static let writeVerbs = ["insert", "update", "delete"]

    /// Whether the current token starts a write statement.
    var startsWrite: Bool { Self.writeVerbs.contains(where: isWord) }

    /// write_statement = insert_statement | update_statement | delete_statement ;
    mutating func parseWriteStatement() throws(Diagnostic) -> WriteStatement {
        if isWord("insert") { return try parseInsertStatement() }
        if isWord("update") { return try parseUpdateStatement() }
        return try parseDeleteStatement()
    }

    /// insert_statement = "INSERT" "INTO" table_name "(" identifier { "," identifier } ")"
    ///                    "VALUES" value_row { "," value_row } [ returning_clause ] ;
    /// value_row = "(" expression { "," expression } ")" ;
    private mutating func parseInsertStatement() throws(Diagnostic) -> WriteStatement {
        let start = advance().range.start
        try expectWord("into", after: "'INSERT'")
        let table = try parseTableName(after: "'INTO'")
        guard case .symbol(.leftParen) = current.kind else {
            if isWord("values") || check(.select) { throw Diagnostic.insertWithoutColumns(table.description, at: current.range) }
            throw expected("'(' and the columns to set", after: "'\(table)'", hint: Diagnostic.WriteHint.insertColumns)
        }
        advance()
        var columns: [Identifier] = []
        repeat {
            let column = try parseIdentifier(after: columns.isEmpty ? "'('" : "','", expecting: "a column name")
            if column.name == "type" { throw Diagnostic.typeIsNotAColumn(at: column.range) }
            if let earlier = columns.first(where: { $0.name == column.name }) {
                throw Diagnostic.columnSetTwice(column.name, earlier: earlier.range, at: column.range)
            }
            columns.append(column)
        } while acceptSymbol(.comma)
        try expect(.rightParen, after: "the column list")
        if check(.select) { throw Diagnostic.insertSelect(at: current.range) }
        try expectWord("values", after: "the column list")
        var rows: [[Expression]] = []
        repeat {
            let open = current.range
            try expect(.leftParen, after: rows.isEmpty ? "'VALUES'" : "','")
            var row: [Expression] = []
            repeat {
                row.append(try parseExpression(after: row.isEmpty ? "'('" : "','"))
            } while acceptSymbol(.comma)
            try expect(.rightParen, after: "the values", hint: nil)
            if row.count != columns.count {
                throw Diagnostic.valueCountMismatch(values: row.count, columns: columns.count, at: open.union(previous.range))
            }
            rows.append(row)
        } while acceptSymbol(.comma)
        var statement = WriteStatement(action: .insert(columns: columns, rows: rows), table: table, range: SourceRange(start, previous.range.end))
        statement.returning = try parseReturningClause()
        statement.range.end = previous.range.end
        return statement
    }

    /// update_statement = "UPDATE" table_name "SET" assignment { "," assignment } required_where
    ///                    [ returning_clause ] ;
    /// assignment = identifier "=" expression ;
    private mutating func parseUpdateStatement() throws(Diagnostic) -> WriteStatement {
        let verb = advance()
        let table = try parseTableName(after: "'UPDATE'")
        try expectWord("set", after: "'\(table)'")
        var assignments: [Assignment] = []
        repeat {
            let column = try parseIdentifier(after: assignments.isEmpty ? "'SET'" : "','", expecting: "a column name")
            var target = column
            if acceptSymbol(.dot) {
                // `SET p.first_name = …`: a qualified column, as in the WHERE.
                let name = try parseIdentifier(after: "'\(column.name).'", expecting: "a column name")
                target = Identifier(name: name.name, range: column.range.union(name.range), table: column.name)
            }
            if target.name == "id" || target.name == "type" { throw Diagnostic.identityIsNotSettable(target.name, at: target.range) }
            if let earlier = assignments.first(where: { $0.column.name == target.name }) {
                throw Diagnostic.columnSetTwice(target.name, earlier: earlier.column.range, at: target.range)
            }
            guard case .symbol(.equal) = current.kind else {
                throw expected("'='", after: "'\(source.excerpt(target.range))'", hint: Diagnostic.WriteHint.assignment)
            }
            advance()
            let value = try parseExpression(after: "'='")
            assignments.append(Assignment(column: target, value: value, range: target.range.union(value.range)))
        } while acceptSymbol(.comma)
        let filter = try parseRequiredWhere(verb: "UPDATE", table: table, start: verb.range)
        var statement = WriteStatement(action: .update(assignments), table: table, filter: filter,
                                       range: SourceRange(verb.range.start, previous.range.end))
        statement.returning = try parseReturningClause()
        statement.range.end = previous.range.end
        return statement
    }

    /// delete_statement = "DELETE" "FROM" table_name required_where [ returning_clause ] ;
    private mutating func parseDeleteStatement() throws(Diagnostic) -> WriteStatement {
        let verb = advance()
        try expect(.from, context: "'DELETE'", alternatives: [])
        let table = try parseTableName(after: "'FROM'")
        let filter = try parseRequiredWhere(verb: "DELETE", table: table, start: verb.range)
        var statement = WriteStatement(action: .delete, table: table, filter: filter, range: SourceRange(verb.range.start, previous.range.end))
        statement.returning = try parseReturningClause()
        statement.range.end = previous.range.end
        return statement
    }

    /// required_where = "WHERE" expression ;
    ///
    /// An UPDATE or DELETE without WHERE would touch every row: refused, with `WHERE true` as
    /// the way to say "all rows" on purpose.
    private mutating func parseRequiredWhere(verb: String, table: TableReference, start: SourceRange) throws(Diagnostic) -> Expression {
        guard accept(.where) else {
            if current.kind == .end || isWord("returning") {
                throw Diagnostic.writeWithoutWhere(verb, table.description, at: start.union(previous.range))
            }
            throw expected("'WHERE'", after: "'\(source.excerpt(previous.range))'", suggesting: ["WHERE"])
        }
        return try parseWhereClause()
    }

    /// returning_clause = "RETURNING" select_list ;
    private mutating func parseReturningClause() throws(Diagnostic) -> SelectList? {
        guard isWord("returning") else { return nil }
        advance()
        if current.kind == .end { throw Diagnostic.expected("'*' or the columns to return", after: "'RETURNING'", at: .at(previous.range.end)) }
        return try parseSelectList()
    }

    /// table_name = identifier "." identifier [ "AS" identifier ] ;
    ///
    /// A write's table: an alias needs AS, since the word after the table (SET) is no keyword.
    private mutating func parseTableName(after context: String) throws(Diagnostic) -> TableReference {
        try parseTableReference(after: context, bareAlias: false)
    }

    /// Accepts the unquoted word `word`, or says it was expected.
    private mutating func expectWord(_ word: String, after context: String) throws(Diagnostic) {
        guard isWord(word) else { throw expected("'\(word.uppercased())'", after: context, suggesting: [word.uppercased()]) }
        advance()
    }
}
