import CBQCore

/// A row between the local operators: the output values (or the raw row, for `SELECT *`),
/// and the sort keys.
struct LocalRow {
    var raw: RawRow?
    var values: [SQLValue]
    var keys: [SQLValue]
    /// Arrival order, so the sort is stable.
    var sequence: Int
}

/// What one local operator did, for `EXPLAIN ANALYZE`.
public struct OperatorStats: Sendable {
    public var name: String
    public var rowsIn = 0
    public var rowsOut = 0
    public var time: Duration = .zero
}

/// Runs a plan's ``LocalQuery`` over the rows the requests return, batch by batch: aggregate
/// (one entry per group, not the rows), filter groups (HAVING), project, make distinct, sort,
/// then skip and cap. Filter, project, distinct and limit stream; aggregate and sort hold what
/// they must, and stop with an error past `maxRows` rather than exhaust memory.
final class LocalPipeline {
    private let query: LocalQuery
    private let maxRows: Int
    private let inputColumns: [String]
    private let outputs: [CompiledExpression]?
    private let sortKeys: [CompiledExpression]
    private let groupKeys: [CompiledExpression]
    private let aggregateArguments: [CompiledExpression?]
    private let having: CompiledExpression?

    private var groupIndex: [[GroupValue]: Int] = [:]
    private var groupValues: [[SQLValue]] = []
    private var accumulators: [[Accumulator]] = []
    private var seen: Set<[GroupValue]> = []
    private var sortBuffer: [LocalRow] = []
    private var sequence = 0
    private var skipped = 0
    private var emitted = 0
    /// For ORDER BY … LIMIT n: the sort keeps only the best OFFSET + n rows.
    private let keep: Int?

    private(set) var stats: [String: OperatorStats] = [:]

    init(_ query: LocalQuery, now: Instant, maxRows: Int) throws(Diagnostic) {
        self.query = query
        self.maxRows = maxRows
        inputColumns = query.inputColumns
        let inputSlots = Dictionary(uniqueKeysWithValues: query.inputColumns.enumerated().map { ($1, $0) })
        let input = ExpressionCompiler(slots: inputSlots, now: now)
        let late: ExpressionCompiler
        if query.grouping != nil {
            late = ExpressionCompiler(slots: [:], computed: query.groupSlots, now: now, unresolved: Diagnostic.notGrouped)
            var keys: [CompiledExpression] = []
            for key in query.grouping ?? [] { keys.append(try input.compile(key)) }
            groupKeys = keys
            var arguments: [CompiledExpression?] = []
            for aggregate in query.aggregates {
                arguments.append(try aggregate.argument.map { (e) throws(Diagnostic) in try input.compile(e) })
            }
            aggregateArguments = arguments
            having = try query.having.map { (e) throws(Diagnostic) in try late.compile(e) }
        } else {
            late = input
            groupKeys = []
            aggregateArguments = []
            having = nil
        }
        var compiledOutputs: [CompiledExpression]?
        if let outputs = query.outputs {
            compiledOutputs = []
            for output in outputs { compiledOutputs!.append(try late.compile(output.expression)) }
        }
        outputs = compiledOutputs
        var keys: [CompiledExpression] = []
        for key in query.sort { keys.append(try late.compile(key.expression)) }
        sortKeys = keys
        if let limit = query.limit, !query.sort.isEmpty, query.offset + limit <= 100_000 { keep = query.offset + limit } else { keep = nil }
    }

    /// Whether the LIMIT is met and no further row can change the result.
    var isSatisfied: Bool {
        guard let limit = query.limit, query.grouping == nil, query.sort.isEmpty else { return false }
        return emitted >= limit
    }

    /// Takes a batch of rows from the requests; returns the rows that are final already.
    func consume(_ rows: [RawRow]) throws -> [ResultRow] {
        if query.grouping != nil {
            try measure("aggregate", rowsIn: rows.count) { () throws -> Int in
                for row in rows { try accumulate(row) }
                return groupValues.count
            }
            return []
        }
        var batch = try project(rows.map { row in (row, row.slots(inputColumns)) })
        batch = distinct(batch)
        return try sortOrEmit(batch)
    }

    /// At the end of the rows: what the blocking operators held.
    func finish() throws -> [ResultRow] {
        var batch: [LocalRow]
        if query.grouping != nil {
            if query.grouping!.isEmpty && groupValues.isEmpty {
                // An aggregate without GROUP BY has one group, even over no rows.
                groupValues.append([])
                accumulators.append(query.aggregates.map { Accumulator($0.kind, distinct: $0.distinct, range: $0.range) })
            }
            var groups: [[SQLValue]] = []
            for (keys, group) in zip(groupValues, accumulators) { groups.append(keys + group.map(\.result)) }
            if query.sort.isEmpty {
                // Without ORDER BY, groups come in key order, as SQLite lists them.
                groups.sort { a, b in Self.precedes(Array(a.prefix(groupKeys.count)), Array(b.prefix(groupKeys.count)), nullsFirst: [Bool](repeating: true, count: groupKeys.count), descending: [Bool](repeating: false, count: groupKeys.count)) }
            }
            if let having {
                groups = try measure("having", rowsIn: groups.count) { () throws -> [[SQLValue]] in
                    try groups.filter { try having.passes($0) }
                }
            }
            batch = try project(groups.map { (nil, $0) })
            batch = distinct(batch)
            var final = try sortOrEmit(batch)
            final += try drainSort()
            return final
        }
        return try drainSort()
    }

    // MARK: - Operators

    private func accumulate(_ row: RawRow) throws {
        let slots = row.slots(inputColumns)
        var keyValues: [SQLValue] = []
        keyValues.reserveCapacity(groupKeys.count)
        for key in groupKeys { keyValues.append(try key(slots)) }
        let groupKey = keyValues.map(GroupValue.init)
        let index: Int
        if let existing = groupIndex[groupKey] {
            index = existing
        } else {
            index = groupValues.count
            guard index < maxRows else { throw ExecutionError.localRowLimit(maxRows, operation: "GROUP BY") }
            groupIndex[groupKey] = index
            groupValues.append(keyValues)
            accumulators.append(query.aggregates.map { Accumulator($0.kind, distinct: $0.distinct, range: $0.range) })
        }
        for (position, argument) in aggregateArguments.enumerated() {
            try accumulators[index][position].add(try argument?(slots) ?? .boolean(true))
        }
    }

    /// Computes outputs and sort keys from input slots (or group slots).
    private func project(_ rows: [(RawRow?, [SQLValue])]) throws -> [LocalRow] {
        try measure("project", rowsIn: rows.count) { () throws -> [LocalRow] in
            var result: [LocalRow] = []
            result.reserveCapacity(rows.count)
            for (raw, slots) in rows {
                var values: [SQLValue] = []
                if let outputs {
                    values.reserveCapacity(outputs.count)
                    for output in outputs { values.append(try output(slots)) }
                }
                var keys: [SQLValue] = []
                for key in sortKeys { keys.append(try key(slots)) }
                result.append(LocalRow(raw: outputs == nil ? raw : nil, values: values, keys: keys, sequence: sequence))
                sequence += 1
            }
            return result
        }
    }

    private func distinct(_ rows: [LocalRow]) -> [LocalRow] {
        guard query.distinct else { return rows }
        return measure("distinct", rowsIn: rows.count) { () -> [LocalRow] in
            rows.filter { seen.insert($0.values.map(GroupValue.init)).inserted }
        }
    }

    private func sortOrEmit(_ rows: [LocalRow]) throws -> [ResultRow] {
        guard query.sort.isEmpty else {
            try measure("sort", rowsIn: rows.count) { () throws -> Int in
                sortBuffer += rows
                if let keep, sortBuffer.count >= max(keep + 1, min(max(2 * keep, 1024), maxRows)) {
                    sortRows()
                    sortBuffer.removeLast(sortBuffer.count - keep)
                }
                guard sortBuffer.count <= maxRows else { throw ExecutionError.localRowLimit(maxRows, operation: "ORDER BY") }
                return 0
            }
            return []
        }
        return limit(rows)
    }

    private func drainSort() throws -> [ResultRow] {
        guard !query.sort.isEmpty else { return [] }
        measure("sort", rowsIn: 0) { () -> Int in
            sortRows()
            return sortBuffer.count
        }
        let rows = sortBuffer
        sortBuffer = []
        return limit(rows)
    }

    private func sortRows() {
        let descending = query.sort.map(\.descending), nullsFirst = query.sort.map(\.nullsFirst)
        sortBuffer.sort { a, b in
            if Self.precedes(a.keys, b.keys, nullsFirst: nullsFirst, descending: descending) { return true }
            if Self.precedes(b.keys, a.keys, nullsFirst: nullsFirst, descending: descending) { return false }
            return a.sequence < b.sequence
        }
    }

    static func precedes(_ a: [SQLValue], _ b: [SQLValue], nullsFirst: [Bool], descending: [Bool]) -> Bool {
        for index in a.indices {
            let x = a[index], y = b[index]
            switch (x.isNull, y.isNull) {
            case (true, true): continue
            case (true, false): return nullsFirst[index]
            case (false, true): return !nullsFirst[index]
            case (false, false):
                let order = SQLValue.order(x, y)
                if order != 0 { return descending[index] ? order > 0 : order < 0 }
            }
        }
        return false
    }

    private func limit(_ rows: [LocalRow]) -> [ResultRow] {
        var result: [ResultRow] = []
        var count = 0
        for row in rows {
            if let limit = query.limit, emitted >= limit { break }
            count += 1
            if skipped < query.offset { skipped += 1; continue }
            emitted += 1
            result.append(row.raw.map(ResultRow.raw) ?? .values(row.values))
        }
        if query.limit != nil || query.offset > 0 { record("limit", rowsIn: count, rowsOut: result.count, time: .zero) }
        return result
    }

    // MARK: - Statistics

    private func measure<T>(_ name: String, rowsIn: Int, _ body: () throws -> T) rethrows -> T {
        let start = ContinuousClock.now
        let result = try body()
        let out: Int
        if let rows = result as? [LocalRow] { out = rows.count }
        else if let rows = result as? [[SQLValue]] { out = rows.count }
        else if let count = result as? Int { out = count }
        else { out = 0 }
        record(name, rowsIn: rowsIn, rowsOut: out, time: ContinuousClock.now - start, replaceOut: name == "aggregate" || name == "sort")
        return result
    }

    private func record(_ name: String, rowsIn: Int, rowsOut: Int, time: Duration, replaceOut: Bool = false) {
        var entry = stats[name] ?? OperatorStats(name: name)
        entry.rowsIn += rowsIn
        if replaceOut { entry.rowsOut = rowsOut } else { entry.rowsOut += rowsOut }
        entry.time += time
        stats[name] = entry
    }
}
