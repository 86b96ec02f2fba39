extension Planner {
    /// Plans an INSERT, UPDATE or DELETE: VALUES folded to JSON values here; SET prepared
    /// (constants folded, the rest computed per row); the rows of an UPDATE or DELETE found by
    /// ids alone or by the equivalent `SELECT * … WHERE …`, planned by the read path itself.
    func planWrite(_ statement: WriteStatement, source: SourceText) throws(Diagnostic) -> WritePlan {
        let table = statement.table
        let verb: WritePlan.Verb
        switch statement.action {
        case .insert: verb = .insert
        case .update: verb = .update
        case .delete: verb = .delete
        }
        var plan = WritePlan(verb: verb, service: table.service.name, endpoint: table.endpoint.name, baseURL: options.baseURL,
                             resourceType: resourceType(of: table))
        plan.statementRange = statement.range
        plan.trailingSlash = options.dialect.trailingSlash
        plan.endpointRange = table.service.range.union(table.endpoint.range)

        switch statement.action {
        case .insert(let columns, let rows):
            for row in rows {
                var insert = WritePlan.InsertRow(id: nil, attributes: [])
                for (column, expression) in zip(columns, row) {
                    let value = try constant(expression, for: column.name, table: table)
                    if column.name == "id" {
                        // A client-generated id names the resource, as written (`007` stays
                        // `007`, as in WHERE id = 007); NULL leaves it to the server.
                        insert.id = value == .null ? nil : value.parameterText
                        if let id = insert.id, !WritePlan.isUsableID(id) { throw Diagnostic.unusableID(id, at: expression.range) }
                    } else {
                        insert.attributes.append(WritePlan.Attribute(name: column.name, value: value, range: column.range))
                    }
                }
                plan.inserts.append(insert)
            }
        case .update(let assignments):
            for assignment in assignments {
                if let qualifier = assignment.column.table, qualifier != table.correlationName {
                    throw Diagnostic.unknownWriteQualifier(qualifier, table: table.description, at: assignment.column.range)
                }
                let value = try prepared(assignment.value, clause: "SET", table: table, statement: statement)
                if case .interval = value.ungrouped { throw Diagnostic.notAJSONValue(assignment.column.name, at: assignment.value.range) }
                var column = assignment.column
                column.table = nil
                plan.assignments.append(WritePlan.PlannedAssignment(column: column, value: value, range: assignment.range))
            }
            plan.rows = try rows(statement, plan: plan, source: source)
        case .delete:
            plan.rows = try rows(statement, plan: plan, source: source)
        }
        if let returning = statement.returning {
            plan.returning = try returningPlan(returning, statement: statement, source: source)
        }
        // Every column the SET expressions and RETURNING read is checked against the rows read,
        // before anything is written: a misspelt one is an error, never a NULL sent.
        if case .read(var read)? = plan.rows {
            var names = Set(read.readColumns.map(\.name))
            var extra: [Identifier] = []
            for assignment in plan.assignments { extra += Self.readColumns(of: [assignment.value]) }
            extra += plan.returning?.readColumns ?? []
            for column in extra where names.insert(column.name).inserted { read.readColumns.append(column) }
            plan.rows = .read(read)
        }
        return plan
    }

    /// The type bodies carry: `--resource-type` or a learned type, else the known endpoint's,
    /// else the endpoint's name (`people` for `people.people`, `reports` for `intake.reports`).
    func resourceType(of table: TableReference) -> String {
        if let type = options.resourceTypes[table.description] { return type }
        if let known = KnownEndpoint.all.first(where: { $0.qualifiedName == table.description }) { return known.type }
        return table.endpoint.name
    }

    /// An UPDATE's or DELETE's rows: by id when the WHERE is only ids and nothing else needs the
    /// rows; else the read `SELECT * FROM t WHERE …`, with its pushdown, local predicates and paging.
    private func rows(_ statement: WriteStatement, plan: WritePlan, source: SourceText) throws(Diagnostic) -> WritePlan.Rows {
        guard let filter = statement.filter else { throw Diagnostic.writeWithoutWhere(statement.verb, statement.table.description, at: statement.range) }
        if let subquery = Self.firstSubquery(filter) { throw Diagnostic.subqueryInWriteWhere(statement.verb, at: subquery) }
        if let bad = resourceIDs(filter)?.first(where: { !WritePlan.isUsableID($0) }) { throw Diagnostic.unusableID(bad, at: filter.range) }
        let select = SelectStatement(items: .all(range: statement.table.range), source: statement.table, filter: filter, range: statement.range)
        var read = try self.plan(select, source: source)
        // Every attribute comes back, so the rows can be checked against every pushed filter.
        read.fields = nil
        let needsRows = plan.assignments.contains { $0.constant == nil } || (plan.verb == .delete && statement.returning != nil)
        if case .resources(let ids) = read.target {
            if read.local.isEmpty, !needsRows { return .ids(ids) }
        }
        return .read(read)
    }

    private static func firstSubquery(_ expression: Expression) -> SourceRange? {
        switch expression {
        case .inSubquery(_, _, _, let range), .exists(_, _, let range): return range
        default: return expression.children.lazy.compactMap(firstSubquery).first
        }
    }

    /// A VALUES expression, bound and folded to one JSON value.
    private func constant(_ expression: Expression, for column: String, table: TableReference) throws(Diagnostic) -> Literal {
        if let read = Self.readColumns(of: [expression]).first { throw Diagnostic.valueReadsColumn(read.name, at: read.range) }
        let value = try prepared(expression, clause: "VALUES", table: table, statement: nil)
        guard case .literal(let literal, _) = value.ungrouped else { throw Diagnostic.notAJSONValue(column, at: expression.range) }
        return literal
    }

    /// A SET or VALUES expression: qualified columns checked against the table and made bare,
    /// parameters bound, constants folded; no aggregate, subquery or EXISTS.
    private func prepared(_ expression: Expression, clause: String, table: TableReference, statement: WriteStatement?) throws(Diagnostic) -> Expression {
        if let aggregate = expression.firstAggregate { throw Diagnostic.notAllowedInWrite("an aggregate", clause: clause, at: aggregate.range) }
        if let subquery = Self.firstSubquery(expression) { throw Diagnostic.notAllowedInWrite("a subquery", clause: clause, at: subquery) }
        var select = SelectStatement(items: .items([SelectItem(expression: expression)]), source: table, range: expression.range)
        try Self.checkQualifiers(select, names: [table.correlationName])
        select = try Self.unqualifiedStatement(select)
        select = try prepare(select)
        guard case .items(let items) = select.items, let item = items.first else { return expression }
        return item.expression
    }

    /// RETURNING's columns, as the read of a `SELECT <returning> FROM t` would project them.
    private func returningPlan(_ list: SelectList, statement: WriteStatement, source: SourceText) throws(Diagnostic) -> RequestPlan {
        if case .items(let items) = list {
            for item in items {
                if let aggregate = item.expression.firstAggregate {
                    throw Diagnostic.notAllowedInWrite("an aggregate", clause: "RETURNING", at: aggregate.range)
                }
                if let subquery = Self.firstSubquery(item.expression) {
                    throw Diagnostic.notAllowedInWrite("a subquery", clause: "RETURNING", at: subquery)
                }
            }
        }
        let select = SelectStatement(items: list, source: statement.table, range: statement.range)
        var plan = try self.plan(select, source: source)
        plan.statementRange = statement.range
        return plan
    }
}
