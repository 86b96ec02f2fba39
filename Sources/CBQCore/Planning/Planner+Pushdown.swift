/// Which conjuncts of a WHERE the API's filters can take, and as which query parameters; the
/// rest stay local, with the reason the plan shows. Also the by-id fetch and sparse fieldsets.
extension Planner {
    // MARK: - Pushing predicates down

    /// Sends each conjunct the API can express, in order; keeps the rest as local predicates.
    func distribute(_ conjuncts: [Expression], source: SourceText, into plan: inout RequestPlan) {
        var used: [String: String] = [:]  // parameter name → the predicate that took it
        let refusedBefore = options.rejectedFilters["\(plan.service).\(plan.endpoint)"] ?? []
        for conjunct in conjuncts {
            let text = source.slice(conjunct.range)
            var result = pushdown(conjunct)
            // A value that is NULL's own spelling would be read as a NULL test.
            if case .success(let parameters) = result, !isNullTest(conjunct), let misread = parameters.first(where: options.dialect.asksForNull) {
                result = .failure(Unpushable(text: "the API would read \(misread.formatted()) as a NULL test"))
            }
            if case .success(let parameters) = result, let refused = parameters.first(where: { refusedBefore.contains($0.formattedName()) }) {
                let name = refused.formattedName()
                result = .failure(Unpushable(text: "the server answered 400 to \(name) before (\\refresh \(plan.service).\(plan.endpoint) forgets that)",
                                             refusedParameter: name))
            }
            switch result {
            case .success(let parameters):
                if let clash = parameters.first(where: { used[$0.formattedName()] != nil }) {
                    let name = clash.formattedName()
                    plan.local.append(.init(expression: conjunct, text: text,
                                            reason: "\(name) is already used by \(used[name] ?? "")"))
                    continue
                }
                for parameter in parameters { used[parameter.formattedName()] = text }
                plan.pushed.append(.init(text: text, range: conjunct.range, parameters: parameters, expression: conjunct))
                if case .isNull(.column(let column), false, _) = conjunct.ungrouped { plan.mayBeAbsent.insert(column.name) }
            case .failure(let reason):
                plan.local.append(.init(expression: conjunct, text: text, reason: reason.text, refusedParameter: reason.refusedParameter))
            }
        }
    }

    private struct Unpushable: Error {
        var text: String
        var refusedParameter: String?
    }

    private func isNullTest(_ expression: Expression) -> Bool {
        if case .isNull = expression.ungrouped { return true }
        return false
    }

    /// The query parameters that send `condition` in this planner's dialect; nil when it
    /// cannot be sent.
    public func filterParameters(_ condition: Expression) -> [QueryParameter]? {
        if case .success(let parameters) = pushdown(condition) { return parameters }
        return nil
    }

    /// The query parameters expressing one conjunct, or why there are none.
    private func pushdown(_ expression: Expression) -> Result<[QueryParameter], Unpushable> {
        let dialect = options.dialect
        switch expression {
        case .grouped(let inner, _):
            return pushdown(inner)
        case .comparison(let left, let op, let right, _):
            guard let (field, op, value) = fieldComparison(left, op, right) else {
                return .failure(Unpushable(text: twoColumnsOrValues(left, right)))
            }
            if let reason = unsendable(value) { return .failure(reason) }
            guard dialect.supports(FilterOperator(op)) else { return .failure(Unpushable(text: "this dialect has no \(op.rawValue) filter")) }
            return .success([dialect.filterParameter(field, FilterOperator(op), value.parameterText)])
        case .like(.column(let column), .literal(let pattern, _), false, _):
            if let reason = unsendable(pattern) { return .failure(reason) }
            // `\_` is a literal `_` in SQL; the API's like filter has no escape character that
            // cbq knows of, so such a pattern is matched here.
            if pattern.parameterText.contains("\\") { return .failure(Unpushable(text: "the API's like filter has no escape character")) }
            switch dialect.like {
            case .pattern:
                return .success([dialect.filterParameter(column.name, .like, pattern.parameterText)])
            case .lookups(let names):
                guard let (lookup, value) = LikeLookup.of(pattern.parameterText), let name = names[lookup] else {
                    let known = LikeLookup.allCases.compactMap { names[$0] }.joined(separator: ", ")
                    return .failure(Unpushable(text: "no lookup of this dialect (\(known)) expresses the pattern"))
                }
                return .success([dialect.lookupParameter(column.name, name, value)])
            case .local:
                return .failure(Unpushable(text: "this dialect has no LIKE filter"))
            }
        case .like(let value, let pattern, let negated, _):
            if negated { return .failure(Unpushable(text: "the API has no 'not like' filter")) }
            return .failure(Unpushable(text: twoColumnsOrValues(value, pattern)))
        case .isNull(.column(let column), let negated, _):
            guard let template = negated ? dialect.isNotNull : dialect.isNull else {
                return .failure(Unpushable(text: "this dialect does not say how to ask for \(negated ? "IS NOT NULL" : "IS NULL")"))
            }
            return .success([template.parameter(field: column.name)])
        case .isNull:
            return .failure(Unpushable(text: "tests a value, not a column"))
        case .between(.column(let column), .literal(let low, _), .literal(let high, _), false, _):
            if let reason = unsendable(low) ?? unsendable(high) { return .failure(reason) }
            guard dialect.supports(.greaterOrEqual), dialect.supports(.lessOrEqual) else {
                return .failure(Unpushable(text: "this dialect has no >= and <= filters"))
            }
            return .success([dialect.filterParameter(column.name, .greaterOrEqual, low.parameterText),
                             dialect.filterParameter(column.name, .lessOrEqual, high.parameterText)])
        case .between(_, _, _, let negated, _):
            return .failure(Unpushable(text: negated ? "the API cannot express NOT BETWEEN (it is an OR)"
                                                     : "BETWEEN bounds must be values for the API"))
        case .inList(.column(let column), let items, false, _):
            guard let lookup = dialect.inList else { return .failure(Unpushable(text: "the API has no IN filter")) }
            // One comma list: every value a literal that a comma list can carry.
            var values: [String] = []
            for item in items {
                guard case .literal(let literal, _) = item.ungrouped, literal != .null else {
                    return .failure(Unpushable(text: "an IN list for the API holds values only"))
                }
                if let reason = unsendable(literal) { return .failure(reason) }
                let text = literal.parameterText
                guard !text.contains(","), !text.isEmpty else { return .failure(Unpushable(text: "a comma list cannot carry the value '\(text)'")) }
                values.append(text)
            }
            return .success([dialect.lookupParameter(column.name, lookup, values.joined(separator: ","))])
        case .inList(_, _, let negated, _):
            return .failure(Unpushable(text: negated ? "the API has no NOT IN filter" : "the API has no IN filter"))
        case .or:
            return .failure(Unpushable(text: "the API's filters are all ANDed; OR is evaluated here"))
        case .not:
            return .failure(Unpushable(text: "the API's filters cannot negate a condition"))
        case .literal, .column, .parameter, .and:
            return .failure(Unpushable(text: "a constant condition"))
        case .function, .caseWhen, .cast, .binary, .negate, .interval:
            return .failure(Unpushable(text: "the API's filters compare a column with a value"))
        case .inSubquery, .exists:
            return .failure(Unpushable(text: "a subquery's values are known only once it has run"))
        }
    }

    /// `field op literal`, with a literal on the left mirrored: `18 <= age` is `age >= 18`.
    private func fieldComparison(_ left: Expression, _ op: ComparisonOperator, _ right: Expression)
        -> (String, ComparisonOperator, Literal)?
    {
        switch (left.ungrouped, right.ungrouped) {
        case (.column(let column), .literal(let value, _)): return (column.name, op, value)
        case (.literal(let value, _), .column(let column)): return (column.name, op.mirrored, value)
        default: return nil
        }
    }

    /// A value the API would misread: it reads the text `null` as NULL.
    private func unsendable(_ literal: Literal) -> Unpushable? {
        if case .string(let text) = literal, text.lowercased() == "null" {
            return Unpushable(text: "the API would read the string '\(text)' as NULL")
        }
        return nil
    }

    private func twoColumnsOrValues(_ left: Expression, _ right: Expression) -> String {
        switch (left.ungrouped, right.ungrouped) {
        case (.column, .column): return "compares two columns"
        case (.literal, .literal): return "compares two values"
        default: return "the API's filters compare a column with a value"
        }
    }

    /// `WHERE id = 'x'` or `WHERE id IN ('x', 'y')`, alone: fetch those resources by URL.
    func resourceIDs(_ filter: Expression) -> [String]? {
        func idText(_ expression: Expression) -> String? {
            guard case .literal(let literal, _) = expression.ungrouped else { return nil }
            switch literal {
            case .string(let text) where !text.isEmpty: return text
            case .number(let spelling): return spelling
            default: return nil
            }
        }
        switch filter.ungrouped {
        case .comparison(let left, .equal, let right, _):
            if case .column(let column) = left.ungrouped, column.name == "id", let id = idText(right) { return [id] }
            if case .column(let column) = right.ungrouped, column.name == "id", let id = idText(left) { return [id] }
            return nil
        case .inList(let value, let items, false, _):
            guard case .column(let column) = value.ungrouped, column.name == "id" else { return nil }
            var ids: [String] = []
            var seen: Set<String> = []
            for item in items {
                guard let id = idText(item) else { return nil }
                if seen.insert(id).inserted { ids.append(id) }
            }
            return ids
        default:
            return nil
        }
    }

    func sparseFields(for plan: RequestPlan) -> QueryParameter? {
        let read: [String]
        switch plan.projection {
        case .columns(let columns): read = columns.map(\.field)
        case .computed(let query) where query.outputs != nil: read = query.inputColumns
        default: return nil
        }
        // The sort's fields too, though not shown: the rows' order is checked by them; and the
        // pushed filters', by which every row is judged (without them, a filter the server
        // ignored went unseen: its column was not in the rows).
        var names: [String] = []
        var seen: Set<String> = ["id"]
        let judged = plan.pushed.compactMap(\.expression).flatMap(\.columnNames)
        for name in read + plan.sort.map(\.field) + plan.local.flatMap(\.expression.columnNames) + judged where seen.insert(name).inserted {
            names.append(name)
        }
        return names.isEmpty ? nil : QueryParameter("fields", [plan.endpoint], values: names)
    }
}
