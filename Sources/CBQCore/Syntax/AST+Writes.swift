/// The writes: `INSERT`, `UPDATE` and `DELETE`, which become the guide's POST, PATCH and DELETE.

/// One write statement: what it does, to which endpoint, and what it hands back.
public struct WriteStatement: Hashable, Sendable {
    public enum Action: Hashable, Sendable {
        /// `INSERT INTO t (columns) VALUES (…), (…)`: one POST per row.
        case insert(columns: [Identifier], rows: [[Expression]])
        /// `UPDATE t SET a = x, …`: one PATCH per matching row.
        case update([Assignment])
        /// `DELETE FROM t`: one DELETE per matching row.
        case delete
    }

    public var action: Action
    public var table: TableReference
    /// `WHERE …` of an UPDATE or DELETE (the parser requires one); nil for INSERT.
    public var filter: Expression?
    /// `RETURNING * | expression, …`: the written resources as a result set.
    public var returning: SelectList?
    public var range: SourceRange

    public init(action: Action, table: TableReference, filter: Expression? = nil, returning: SelectList? = nil, range: SourceRange) {
        self.action = action
        self.table = table
        self.filter = filter
        self.returning = returning
        self.range = range
    }

    /// `INSERT`, `UPDATE` or `DELETE`: the statement's verb, as psql's command tag spells it.
    public var verb: String {
        switch action {
        case .insert: return "INSERT"
        case .update: return "UPDATE"
        case .delete: return "DELETE"
        }
    }
}

/// `column = expression` in UPDATE's SET list.
public struct Assignment: Hashable, Sendable {
    public var column: Identifier
    public var value: Expression
    public var range: SourceRange

    public init(column: Identifier, value: Expression, range: SourceRange) {
        self.column = column
        self.value = value
        self.range = range
    }
}
