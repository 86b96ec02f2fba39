/// What an INSERT, UPDATE or DELETE asks of the API: which rows, which requests, which bodies.
/// An inert value like ``RequestPlan``: the runtime finds the rows (running ``rows``' read, the
/// whole read path), then sends one request per row.
///
///     let plan = try Planner().plan("UPDATE people.people SET city = 'Springfield' WHERE id = 'PER-1'")
///     // .write: PATCH https://api.casebook.net/people/people/PER-1
///     //   {"data":{"type":"people","id":"PER-1","attributes":{"city":"Springfield"}}}
public struct WritePlan: Hashable, Sendable {
    public enum Verb: String, Hashable, Sendable {
        case insert = "INSERT", update = "UPDATE", delete = "DELETE"

        /// How a sentence names the table: `INSERT … into t`, `UPDATE … of t`, `DELETE … from t`.
        public var preposition: String {
            switch self {
            case .insert: return "into"
            case .update: return "of"
            case .delete: return "from"
            }
        }

        /// The guide's operation: POST creates, PATCH updates, DELETE deletes.
        public var method: String {
            switch self {
            case .insert: return "POST"
            case .update: return "PATCH"
            case .delete: return "DELETE"
            }
        }
    }

    /// How an UPDATE or DELETE finds its rows.
    public enum Rows: Hashable, Sendable {
        /// `WHERE id = 'X'` or `id IN (…)` alone, with nothing to read: one request per id.
        case ids([String])
        /// Any other WHERE: this read (pushed filters, local predicates, paging) finds them.
        case read(RequestPlan)
    }

    /// One row of an INSERT: its client-generated id (an `id` column), and the attributes in
    /// the column list's order.
    public struct InsertRow: Hashable, Sendable {
        public var id: String?
        public var attributes: [Attribute]
    }

    /// A value to send for one attribute, and where the statement says it (a 422's
    /// `source.pointer` is shown there).
    public struct Attribute: Hashable, Sendable {
        public var name: String
        public var value: Literal
        public var range: SourceRange
    }

    /// `SET column = expression`, prepared: parameters bound and constants folded. A constant
    /// is sent as it is; an expression of the row's columns is computed for each row read.
    public struct PlannedAssignment: Hashable, Sendable {
        public var column: Identifier
        public var value: Expression
        public var range: SourceRange

        /// The value, when it reads no column.
        public var constant: Literal? {
            if case .literal(let literal, _) = value.ungrouped { return literal }
            return nil
        }
    }

    public var verb: Verb
    public var service: String
    public var endpoint: String
    /// Without a trailing slash.
    public var baseURL: String
    /// The resource type bodies carry when a row read does not show the server's own.
    public var resourceType: String
    /// INSERT's rows.
    public var inserts: [InsertRow] = []
    /// UPDATE's SET, in order.
    public var assignments: [PlannedAssignment] = []
    /// UPDATE's and DELETE's rows; nil for INSERT.
    public var rows: Rows?
    /// RETURNING: a read of the endpoint whose projection shapes the written resources; nil
    /// without RETURNING (the result is psql's command tag, `UPDATE 3`).
    public var returning: RequestPlan?
    public var statementRange = SourceRange(0, 0)
    public var endpointRange = SourceRange(0, 0)

    /// `people.people`.
    public var table: String { "\(service).\(endpoint)" }

    /// Paths end with `/`, as the dialect says.
    public var trailingSlash = false

    private var endpointPath: String { baseURL + "/" + PercentEncoding.pathSegment(service) + "/" + PercentEncoding.pathSegment(endpoint) }

    /// `<base>/<service>/<endpoint>`: where a POST goes.
    public var collectionURL: String { endpointPath + (trailingSlash ? "/" : "") }

    /// `<base>/<service>/<endpoint>/<id>`: where a PATCH or DELETE goes.
    public func resourceURL(id: String) -> String { endpointPath + "/" + PercentEncoding.pathSegment(id) + (trailingSlash ? "/" : "") }

    /// The read that finds the rows, when there is one.
    public var read: RequestPlan? {
        if case .read(let plan)? = rows { return plan }
        return nil
    }

    /// The JSON:API document of a POST or PATCH: `{"data":{"type":…,"id":…,"attributes":{…}}}`,
    /// members in this order, attributes in the statement's order, values as JSON of their
    /// kind (strings, numbers with their digits, true/false, null).
    public static func body(type: String, id: String?, attributes: [(name: String, json: [UInt8])]) -> [UInt8] {
        var bytes = Array(#"{"data":{"type":"#.utf8)
        JSONWriter.writeString(type, into: &bytes)
        if let id {
            bytes.append(contentsOf: Array(#","id":"#.utf8))
            JSONWriter.writeString(id, into: &bytes)
        }
        bytes.append(contentsOf: Array(#","attributes":{"#.utf8))
        for (index, attribute) in attributes.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONWriter.writeString(attribute.name, into: &bytes)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: attribute.json)
        }
        bytes.append(contentsOf: Array("}}}".utf8))
        return bytes
    }

    /// The requests when no row needs reading first: INSERT's POSTs, or one PATCH or DELETE
    /// per id whose SET is all constants. nil when a read finds the rows.
    public var plannedRequests: [WriteRequest]? {
        switch verb {
        case .insert:
            return inserts.map { row in
                WriteRequest(method: verb.method, url: collectionURL, id: row.id,
                             body: Self.body(type: resourceType, id: row.id, attributes: row.attributes.map { ($0.name, $0.value.json) }))
            }
        case .update, .delete:
            guard case .ids(let ids)? = rows else { return nil }
            let values = assignments.map { ($0.constant ?? .null).json }
            return ids.map { request(id: $0, type: nil, json: values) }
        }
    }

    /// The PATCH or DELETE of one row: its id, the type the server showed for it (else
    /// ``resourceType``), and the SET values computed for it, in SET order.
    public func request(id: String, type: String?, values: [SQLValue]) -> WriteRequest {
        request(id: id, type: type, json: values.map { value in
            var bytes: [UInt8] = []
            value.writeJSON(into: &bytes)
            return bytes
        })
    }

    private func request(id: String, type: String?, json values: [[UInt8]]) -> WriteRequest {
        guard verb == .update else { return WriteRequest(method: verb.method, url: resourceURL(id: id), id: id, body: nil) }
        let attributes = zip(assignments, values).map { (name: $0.column.name, json: $1) }
        return WriteRequest(method: verb.method, url: resourceURL(id: id), id: id,
                            body: Self.body(type: type ?? resourceType, id: id, attributes: attributes))
    }

    /// Whether `id` can name a resource in a URL path: not empty, `.` or `..`, which a server
    /// that normalises paths would read as the collection or its parent.
    public static func isUsableID(_ id: String) -> Bool { !["", ".", ".."].contains(id) }

    /// Every column the SET expressions read, at their first mention.
    public var assignmentColumns: [String] {
        var names: [String] = []
        for assignment in assignments { for name in assignment.value.columnNames where !names.contains(name) { names.append(name) } }
        return names
    }
}

/// One write request: a method, a URL, the id it concerns (nil for a POST the server names),
/// and the JSON:API body (nil for DELETE).
public struct WriteRequest: Hashable, Sendable {
    public var method: String
    public var url: String
    public var id: String?
    public var body: [UInt8]?

    public init(method: String, url: String, id: String?, body: [UInt8]?) {
        self.method = method
        self.url = url
        self.id = id
        self.body = body
    }

    /// `PATCH https://…/people/people/PER-1`, then the body on the next line, indented: what
    /// `explain` and `--dry-run` print.
    public var description: String {
        method + " " + url + (body.map { "\n  " + String(decoding: $0, as: UTF8.self) } ?? "")
    }
}

/// SET's expressions compiled once, for computing each row's new values from what was read.
public struct AssignmentEvaluator: Sendable {
    /// The columns the expressions read, in slot order: a row's input.
    public let columns: [String]
    private let expressions: [CompiledExpression]
    private let assignments: [WritePlan.PlannedAssignment]

    public init(_ plan: WritePlan, now: Instant = Instant(seconds: 0)) throws(Diagnostic) {
        columns = plan.assignmentColumns
        assignments = plan.assignments
        let slots = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
        let compiler = ExpressionCompiler(slots: slots, now: now)
        var expressions: [CompiledExpression] = []
        for assignment in plan.assignments { expressions.append(try compiler.compile(assignment.value)) }
        self.expressions = expressions
    }

    /// The new values, in SET order, for a row whose ``columns`` hold `slots`. A value JSON
    /// cannot hold (an infinite or NaN double) is an error, never a null sent in its place.
    public func values(_ slots: [SQLValue]) throws(Diagnostic) -> [SQLValue] {
        var values: [SQLValue] = []
        for (expression, assignment) in zip(expressions, assignments) {
            let value = try expression(slots)
            if case .real(let number) = value, !number.isFinite {
                throw Diagnostic.notAJSONNumber(assignment.column.name, at: assignment.value.range)
            }
            values.append(value)
        }
        return values
    }
}

extension Literal {
    /// The literal as a JSON value: a string quoted, a number with the digits written (only
    /// made valid JSON: `007` is `7`, `.5` is `0.5`; `1e400` and 30-digit integers go as
    /// written, for the server to judge), `true`/`false`, `null`.
    public var json: [UInt8] {
        switch self {
        case .string(let text):
            var bytes: [UInt8] = []
            JSONWriter.writeString(text, into: &bytes)
            return bytes
        case .number(let spelling): return Array(Self.jsonNumber(spelling).utf8)
        case .boolean(let flag): return Array((flag ? "true" : "false").utf8)
        case .null: return Array("null".utf8)
        }
    }

    /// A cbq number's spelling as JSON's grammar has it: a sign only for minus, no leading
    /// zeros, a digit before the point.
    static func jsonNumber(_ spelling: String) -> String {
        var text = Substring(spelling)
        var sign = ""
        if text.hasPrefix("-") { sign = "-"; text = text.dropFirst() } else if text.hasPrefix("+") { text = text.dropFirst() }
        let exponentStart = text.firstIndex { $0 == "e" || $0 == "E" } ?? text.endIndex
        var mantissa = text[..<exponentStart]
        let exponent = text[exponentStart...]
        while mantissa.count > 1, mantissa.first == "0", mantissa.dropFirst().first != "." { mantissa = mantissa.dropFirst() }
        let whole = mantissa.hasPrefix(".") ? "0" + mantissa : String(mantissa)
        return sign + whole + exponent
    }
}
