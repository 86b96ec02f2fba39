/// The messages of INSERT, UPDATE and DELETE: statements refused before anything is sent (see
/// `Diagnostic+Catalogue.swift` for the style).
extension Diagnostic {
    // MARK: - Parsing writes

    /// `UPDATE t SET …` or `DELETE FROM t` with no WHERE.
    static func writeWithoutWhere(_ verb: String, _ endpoint: String, at range: SourceRange) -> Diagnostic {
        let what = verb == "DELETE" ? "delete" : "change"
        return Diagnostic(.syntax, "\(verb) without WHERE would \(what) every row of \(endpoint)", at: range,
                          label: "no WHERE clause",
                          hint: "add WHERE to choose the rows (WHERE id = '…'); write WHERE true to \(what) every row on purpose")
    }

    /// `INSERT INTO t VALUES (…)` with no column list.
    static func insertWithoutColumns(_ endpoint: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "INSERT needs the columns it sets", at: range,
                   hint: "name them before VALUES: INSERT INTO \(endpoint) (first_name, last_name) VALUES ('Ada', 'Doe')")
    }

    /// `INSERT INTO t (a) SELECT …`.
    static func insertSelect(at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "INSERT … SELECT is not supported", at: range,
                   hint: "write the rows with VALUES (…), (…); a script can hold many INSERT statements")
    }

    /// A VALUES row whose length is not the column list's.
    static func valueCountMismatch(values: Int, columns: Int, at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "this row has \(values) \(values == 1 ? "value" : "values") for \(columns) \(columns == 1 ? "column" : "columns")",
                   at: range, hint: "give one value per column, in the column list's order")
    }

    /// The same column twice in an INSERT's column list or an UPDATE's SET.
    static func columnSetTwice(_ name: String, earlier: SourceRange, at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "column '\(name)' is set twice", at: range, hint: "set each column once")
    }

    /// `SET id = …` or `SET type = …`: the resource's identity, not an attribute.
    static func identityIsNotSettable(_ name: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "'\(name)' names the resource and cannot be changed", at: range,
                   hint: name == "id" ? "choose rows by id in WHERE; to change an id, INSERT a new resource and DELETE the old one"
                       : "the resource type comes from the endpoint (or --resource-type)")
    }

    /// `INSERT INTO t (type, …)`.
    static func typeIsNotAColumn(at range: SourceRange) -> Diagnostic {
        Diagnostic(.syntax, "'type' is the resource type, not a column", at: range,
                   hint: "cbq sends the endpoint's type; name another with --resource-type service.endpoint=TYPE")
    }

    enum WriteHint {
        static let insertColumns = "INSERT INTO service.endpoint (column, …) VALUES (value, …)"
        static let assignment = "SET column = value, column = value"
    }

    // MARK: - Planning writes

    /// A VALUES expression that reads a column (there is no row to read it from).
    static func valueReadsColumn(_ name: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "VALUES cannot read column '\(name)'", at: range, label: "not a constant",
                   hint: "write a value: a string, number, TRUE, FALSE, NULL, :parameter or an expression of them")
    }

    /// An aggregate, subquery or EXISTS in a SET, VALUES or RETURNING expression.
    public static func notAllowedInWrite(_ what: String, clause: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "\(what) cannot stand in \(clause)", at: range,
                   hint: "compute it with a SELECT first, then write its result")
    }

    /// A subquery in an UPDATE's or DELETE's WHERE.
    static func subqueryInWriteWhere(_ verb: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "a subquery in \(verb)'s WHERE is not supported", at: range,
                   hint: "run the SELECT first, then \(verb) … WHERE id IN ('…', '…')")
    }

    /// A value that is no JSON scalar (an interval, a nested value) for an attribute.
    static func notAJSONValue(_ column: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "the value for '\(column)' is not a string, number, boolean or NULL", at: range,
                   hint: "an INTERVAL is only for date arithmetic: add it to a timestamp")
    }

    /// A write whose table name a qualified column does not use.
    static func unknownWriteQualifier(_ qualifier: String, table: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "no table named '\(qualifier)' here", at: range, hint: "this statement writes \(table) only")
    }

    /// EXPLAIN ANALYZE of a write would run it.
    static func analyzeWrite(_ verb: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "EXPLAIN ANALYZE would run the \(verb)", at: range,
                   hint: "EXPLAIN \(verb) shows the plan and sends nothing; --dry-run (\\dryrun on) runs the reads and prints the writes without sending them")
    }

    /// An id that cannot stand in a URL's path: empty, `.` or `..`.
    public static func unusableID(_ id: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "the id '\(id)' cannot name a resource in a URL", at: range,
                   hint: "a server that normalises paths would read …/\(id) as another URL; nothing was sent")
    }

    // MARK: - Running writes

    /// A SET value computed as an infinite or NaN number.
    static func notAJSONNumber(_ column: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "the value for '\(column)' is not a finite number", at: range, label: "JSON has no such number",
                   hint: "nothing was written; guard the expression, e.g. with CASE or nullif")
    }

    /// A SET column that is a relationship of the rows read, not an attribute.
    public static func relationshipIsNotSettable(_ column: Identifier, endpoint: String) -> Diagnostic {
        Diagnostic(.semantic, "'\(column.name)' is a relationship of \(endpoint), and cbq writes attributes only", at: column.range,
                   label: "a relationship", hint: "set the attribute that holds the related id (e.g. \(column.name)_id); nothing was sent")
    }

    /// A row read by id whose id is not the one asked for.
    public static func unexpectedIDInWriteRead(_ id: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "the API answered a request by id with \(id), which the WHERE does not name; nothing was written", at: range,
                   hint: "the server may redirect merged records; write by the id it answers with")
    }

    /// The read that finds a write's rows did not certainly find them all.
    public static func incompleteWriteRead(_ verb: String, _ reason: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "the read that finds the rows to \(verb) is not certain to be complete: \(reason); nothing was written",
                   at: range, label: "\(verb) needs every matching row",
                   hint: "run it again; if it persists, check the server's paging (cbq explain shows the requests)")
    }

    /// A 2xx answer to a write whose resource leaves out an attribute that was sent (not as
    /// null): a server that does not write an attribute (read-only, or unknown to it) may drop
    /// it without a word, and the statement would report a write that did not happen.
    public static func unansweredAttribute(_ name: String, id: String, verb: WritePlan.Verb, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "the API answered \(id) without \(name), which was sent: it may not have been written", at: range,
                   label: "not in the API's answer", hint: "the API may not write \(name) (read-only, or unknown to it); the rest of the "
                       + "\(verb.rawValue) was not sent: check \(id) before trying again")
    }

    /// A SET column that no row read has, with a near name among those it has.
    public static func unknownWriteColumn(_ column: Identifier, endpoint: String, suggestion: String) -> Diagnostic {
        Diagnostic(.semantic, "column '\(column.name)' does not exist in \(endpoint)", at: column.range,
                   label: "not among the columns of the rows to write", hint: "did you mean '\(suggestion)'? nothing was sent")
    }
}
