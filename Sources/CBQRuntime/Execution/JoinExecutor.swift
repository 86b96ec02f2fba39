import CBQCore

/// Runs a ``JoinPlan``: fetches the driving side, then each later side (by id or whole, as
/// its total and the distinct keys say), joins in memory (a hash join on equalities, else a
/// nested loop), and hands back the joined rows as the local query's input slots.
///
/// Joined rows are held as one row index per side (-1: the NULLs of an unmatched LEFT JOIN
/// row), so a wide side is not copied once per match; values are read when evaluated.
public struct JoinExecutor: Sendable {
    public let executor: Executor
    public let planner: Planner

    public init(executor: Executor, planner: Planner) {
        self.executor = executor
        self.planner = planner
    }

    public struct Outcome: Sendable {
        public var query: JoinedQuery
        /// Each joined row that passed the residual WHERE, as the local query's input slots.
        public var rows: [[SQLValue]]
        public var summary: ExecutionSummary
        /// Per later side, how it was fetched and why (for EXPLAIN ANALYZE).
        public var strategies: [String]
        /// Per side, the columns its rows had (completion learns them).
        public var columns: [[String]] = []
    }

    /// A failure while fetching one side: the error, and which side, so it is shown at that
    /// side's table.
    public struct SideFailure: Error {
        public var side: Int
        public var error: any Error
    }

    private var maxRows: Int { executor.options.maxLocalRows }

    public func run(_ join: JoinPlan, progress: @escaping Executor.Progress = { _ in }) async throws -> Outcome {
        var summary = ExecutionSummary()
        if join.sendsNothing {
            return Outcome(query: try planner.joinedQuery(join, columns: nil), rows: [], summary: summary, strategies: ["LIMIT 0: nothing sent"])
        }
        var sideRows: [[RawRow]] = []
        var columns: [[String]] = []
        var strategies: [String] = []

        // A compound document's `included` resources, for the side that asked for them.
        let included = RowCollector()
        var driving: [RawRow]
        do {
            driving = try await fetch(join.sides[0].plan, side: 0, summary: &summary, progress: progress,
                                      included: join.sides[0].plan.include.isEmpty ? nil : included)
        } catch let failure as SideFailure where !join.sides[0].plan.include.isEmpty && (failure.error as? ExecutionError)?.status == 400 {
            // A server that does not take this `include` says so with a 400 (naming it or not):
            // ask again without; a 400 for another reason comes back again, and is reported.
            var plain = join.sides[0].plan
            plain.include = []
            summary.notices.append("the server refused include=\(join.sides[0].plan.include.joined(separator: ",")); the related rows are fetched on their own")
            included.rows = []
            included.refused = true
            driving = try await fetch(plain, side: 0, summary: &summary, progress: progress)
        }
        sideRows.append(driving)
        columns.append(try await Self.columnNames(driving, or: join.sides[0], sampling: self, summary: &summary, side: 0))
        var tuples: [[Int32]] = driving.indices.map { [Int32($0)] }

        for index in join.sides.indices.dropFirst() {
            let side = join.sides[index]
            var rows: [RawRow]
            let strategy: String
            if let lookup = side.lookup {
                let (keys, numbers) = try distinctKeys(lookup, tuples: tuples, rows: sideRows, sides: join.sides)
                if numbers {
                    // A number meets text as a number (`'0040' = 40`): no id spelt from it is
                    // sure to be the resource's, so the side is read whole and `=` decides.
                    rows = try await fetch(side.plan, side: index, summary: &summary, progress: progress)
                    strategy = "\(side.name): whole (a key is a number, which no lookup by id is sure to find: '0040' = 40)"
                } else {
                    (rows, strategy) = side.included && !included.refused
                        ? try await fromIncluded(side, index: index, keys: keys, included: included.rows, summary: &summary, progress: progress)
                        : try await lookUp(side, index: index, keys: keys, summary: &summary, progress: progress)
                }
            } else {
                rows = try await fetch(side.plan, side: index, summary: &summary, progress: progress)
                strategy = "\(side.name): whole (no lookup by id: its condition is not \(side.name).id = …)"
            }
            strategies.append(strategy)
            if side.lookup != nil { rows = Self.distinctByID(rows) }
            sideRows.append(rows)
            columns.append(try await Self.columnNames(rows, or: side, sampling: self, summary: &summary, side: index))
            let condition = try planner.resolvedCondition(join, side: index, columns: columns)
            tuples = try joinStep(tuples, side: index, join: join, rows: sideRows, condition: condition)
        }

        let query = try planner.joinedQuery(join, columns: columns)
        let reader = SlotReader(query.columns, sides: join.sides)
        let residual = try query.residual.map { (e) throws(Diagnostic) in try reader.compile(e, now: planner.options.now) }
        let inputs = query.plan.localQuery?.inputColumns.count ?? 0
        var output: [[SQLValue]] = []
        output.reserveCapacity(tuples.count)
        for tuple in tuples {
            var slots = reader.values(tuple, rows: sideRows)
            if let residual, !(try residual.passes(slots)) { continue }
            slots.removeLast(slots.count - inputs)  // what only the residual read
            output.append(slots)
        }
        summary.rowsEmitted = output.count
        return Outcome(query: query, rows: output, summary: summary, strategies: strategies, columns: columns)
    }

    // MARK: - A looked-up side

    /// From the driving responses' `included`; any key it lacks (a server may leave some out)
    /// is looked up by id, so a missing resource is never a silent NULL.
    private func fromIncluded(_ side: JoinPlan.Side, index: Int, keys: [String], included: [RawRow], summary: inout ExecutionSummary,
                              progress: @escaping Executor.Progress) async throws -> ([RawRow], String) {
        let wanted = Set(keys)
        var found: Set<String> = []
        var rows: [RawRow] = []
        // Of this side's type only: a polymorphic relationship, or another include, may bring
        // resources of other types with the same ids. The type is the known endpoint's, else
        // its name; if no resource has it but those asked for are all of one type, that is the
        // server's name for it.
        let candidates = included.filter { wanted.contains($0.idText) }
        let types = Set(candidates.compactMap(\.typeText))
        let type = types.contains(side.resourceType) ? side.resourceType : types.count == 1 ? types.first : nil
        for row in candidates where type != nil && row.typeText == type && found.insert(row.idText).inserted { rows.append(row) }
        if !rows.isEmpty { try Pager.checkColumns(rows, of: side.plan) }
        rows = try LocalFilter(Expression.conjunction(side.ownConditions), now: planner.options.now).apply(rows)
        let missing = keys.filter { !found.contains($0) }
        if !missing.isEmpty { rows += try await fetch(byIDPlan(side, keys: missing), side: index, summary: &summary, progress: progress) }
        return (rows, "\(side.name): from the driving responses' included (\(found.count) of \(keys.count) keys)"
            + (missing.isEmpty ? "" : "; \(missing.count) looked up by id"))
    }

    /// By id or whole, whichever takes fewer rounds of requests (``JoinStrategy``); up to one
    /// round of lookups costs no more than any whole fetch, so it needs no probe.
    private func lookUp(_ side: JoinPlan.Side, index: Int, keys: [String], summary: inout ExecutionSummary,
                        progress: @escaping Executor.Progress) async throws -> ([RawRow], String) {
        guard !keys.isEmpty else { return ([], "\(side.name): no keys to look up") }
        let width = max(1, executor.options.concurrency)
        let pageSize = side.plan.pageSize ?? 100
        let total = keys.count <= width ? nil : try await probe(side.plan, side: index, summary: &summary)
        let strategy = keys.count <= width ? .byID
            : JoinStrategy.choose(keys: keys.count, total: total, pageSize: pageSize, concurrency: width, batch: side.idBatch)
        let why: String
        if let total {
            let (byID, whole) = JoinStrategy.rounds(keys: keys.count, total: total, pageSize: pageSize, concurrency: width, batch: side.idBatch)
            why = "\(counted(keys.count, "distinct key")) (\(counted(byID, "round"))) against \(counted(total, "row")) in "
                + "\(counted(JoinStrategy.pages(total: total, pageSize: pageSize), "page")) (\(counted(whole, "round")))"
        } else {
            why = keys.count <= width ? "\(keys.count) distinct keys: one round" : "\(keys.count) distinct keys; the server gave no total"
        }
        switch strategy {
        case .byID where side.idBatch > 1:
            let requests = counted(JoinStrategy.requests(keys: keys.count, batch: side.idBatch), "request")
            return (try await fetchByIDLists(side, keys: keys, side: index, summary: &summary), "\(side.name): by id lists, \(requests): \(why)")
        case .byID:
            return (try await fetch(byIDPlan(side, keys: keys), side: index, summary: &summary, progress: progress),
                    "\(side.name): by id, \(keys.count) requests: \(why)")
        case .whole:
            return (try await fetch(side.plan, side: index, summary: &summary, progress: progress), "\(side.name): whole: \(why)")
        }
    }

    // MARK: - Fetching

    /// `GET …/<id>` for each key; the side's own conditions, which its filters would have
    /// applied, are evaluated here.
    private func byIDPlan(_ side: JoinPlan.Side, keys: [String]) -> RequestPlan {
        var byID = side.plan
        byID.target = .resources(keys)
        byID.pushed = []
        byID.local = side.ownConditions.map { .init(expression: $0, text: $0.description, reason: "fetched by id") }
        byID.pageSize = nil
        byID.sort = []
        byID.rowCap = nil
        byID.offset = 0
        byID.fields = nil
        byID.include = []
        return byID
    }

    /// `filter[id]=a,b,c` requests of up to ``JoinPlan/Side/idBatch`` ids each, with the side's
    /// own filters, `concurrency` at a time; an id with a comma in it (which a list cannot
    /// hold) is fetched alone.
    private func fetchByIDLists(_ side: JoinPlan.Side, keys: [String], side index: Int,
                                summary: inout ExecutionSummary) async throws -> [RawRow] {
        let batch = side.idBatch
        let listable = keys.filter { !$0.contains(",") }
        // Each list asks for at most its own ids' worth of rows: a server that ignored the
        // filter would otherwise page through everything once per list.
        let plans: [RequestPlan] = stride(from: 0, to: listable.count, by: batch).map { start in
            let ids = listable[start..<min(start + batch, listable.count)]
            var plan = side.plan
            plan.pushed.append(.init(text: "id IN (…)", range: side.table.range,
                                     parameters: [plan.dialect.filterParameter("id", .equal, ids.joined(separator: ","))]))
            plan.include = []
            plan.sort = []
            plan.rowCap = ids.count
            plan.offset = 0
            return plan
        }
        let executor = self.executor, limit = maxRows
        let window = max(1, executor.options.concurrency)
        var rows: [RawRow] = []
        do {
            try await withThrowingTaskGroup(of: ([RawRow], ExecutionSummary).self) { group in
                var next = 0
                func launch() {
                    let plan = plans[next]
                    next += 1
                    group.addTask {
                        var rows: [RawRow] = []
                        let cost = try await executor.run(plan) { batch in rows += batch }
                        return (rows, cost)
                    }
                }
                while next < plans.count && next < window { launch() }
                while let (batchRows, cost) = try await group.next() {
                    rows += batchRows
                    summary = summary.adding(cost)
                    if rows.count > limit { throw ExecutionError.localRowLimit(limit, operation: "JOIN") }
                    if next < plans.count { launch() }
                }
            }
            if !rows.isEmpty { try Pager.checkColumns(rows, of: side.plan) }
        } catch {
            throw SideFailure(side: index, error: error)
        }
        // A list answers only for the ids it returns: the others (a dangling reference, or a
        // server that reads the list as one id) are asked for one by one, where a 404 is sure.
        let wanted = Set(keys)
        let unasked = rows.contains { !wanted.contains($0.idText) }
        var seen: Set<String> = []
        rows = rows.filter { wanted.contains($0.idText) && seen.insert($0.idText).inserted }
        if unasked { summary.notices.append("the server answered filter[id]=a,b,c with other rows too; only the ids asked for are kept") }
        let missing = keys.filter { !seen.contains($0) }
        if !missing.isEmpty {
            if seen.isEmpty && missing.count > 1 { summary.notices.append("no id list was answered; the \(missing.count) ids are looked up one by one") }
            rows += try await fetch(byIDPlan(side, keys: missing), side: index, summary: &summary, progress: { _ in })
        }
        return rows
    }

    private func fetch(_ plan: RequestPlan, side: Int, summary: inout ExecutionSummary,
                       progress: @escaping Executor.Progress, included: RowCollector? = nil) async throws -> [RawRow] {
        var rows: [RawRow] = []
        let limit = maxRows
        let base = summary
        do {
            let collect: (([RawRow]) throws -> Void)? = included.map { collector in
                { batch in
                    collector.rows += batch
                    if collector.rows.count > limit { throw ExecutionError.localRowLimit(limit, operation: "JOIN") }
                }
            }
            let result = try await executor.run(plan, progress: { progress(base.adding($0)) }, included: collect) { batch in
                rows += batch
                if rows.count > limit { throw ExecutionError.localRowLimit(limit, operation: "JOIN") }
            }
            summary = summary.adding(result)
        } catch {
            throw SideFailure(side: side, error: error)
        }
        return rows
    }

    /// The rows a collection's filters match, from one `page[size]=1` request (see ``probe``).
    public func probeTotal(_ plan: RequestPlan, summary: inout ExecutionSummary) async throws -> Int? {
        do {
            return try await probe(plan, side: 0, summary: &summary)
        } catch let failure as SideFailure {
            throw failure.error
        }
    }

    /// The rows a side's pushed filters match, from one `page[size]=1` request: `meta`'s
    /// total, or the page number of its `last` link; nil when the server says neither.
    private func probe(_ plan: RequestPlan, side: Int, summary: inout ExecutionSummary) async throws -> Int? {
        if case .resources(let ids) = plan.target { return ids.count }
        do {
            guard let (page, url) = try await firstPage(of: plan, size: 1, filtered: true, summary: &summary) else { return nil }
            if let total = Pager.total(in: page.document, path: plan.totalPath) { return total }
            return page.document.last.flatMap { url.resolve($0) }.flatMap { PageTemplate.pageNumber(in: $0, dialect: plan.dialect) }
        } catch {
            throw SideFailure(side: side, error: error)
        }
    }

    /// One page of `size` rows of a side's collection, with its filters or without, its cost
    /// counted: the probe's total and the sample's column names come from it.
    private func firstPage(of plan: RequestPlan, size: Int, filtered: Bool,
                           summary: inout ExecutionSummary) async throws -> (FetchedPage, RequestURL)? {
        guard let url = RequestURL(plan.firstPageURL(size: size, filtered: filtered)) else { return nil }
        let fetcher = PageFetcher(sender: executor.sender(for: plan.baseURL), filter: try LocalFilter(nil))
        guard let page = try await fetcher.fetch(url, acceptNotFound: !filtered) else { return nil }
        summary.requests += page.attempts
        summary.retries += page.attempts - 1
        summary.bytes += page.bytes
        summary.waited += page.waited
        summary.requestTime += page.elapsed
        return (page, url)
    }

    /// The lookup key's distinct values over the rows so far, as ids: NULLs and empty strings
    /// name no resource, so they are not looked up.
    /// - Returns: the keys, and whether any was a number (which no id lookup finds exactly).
    private func distinctKeys(_ lookup: Expression, tuples: [[Int32]], rows: [[RawRow]], sides: [JoinPlan.Side]) throws -> (keys: [String], numbers: Bool) {
        let reader = SlotReader(lookup.columnNames, sides: sides)
        let key = try reader.compile(lookup, now: planner.options.now)
        var seen: Set<String> = []
        var keys: [String] = []
        var numbers = false
        for tuple in tuples {
            let value = try key(reader.values(tuple, rows: rows))
            let text: String
            switch value {
            case .null, .nested: continue
            case .text(let string): text = string
            default:
                numbers = numbers || value.isNumber
                text = value.description
            }
            if !text.isEmpty, seen.insert(text).inserted { keys.append(text) }
        }
        return (keys, numbers)
    }

    // MARK: - Joining

    /// Joins the rows so far with side `index`'s rows.
    private func joinStep(_ tuples: [[Int32]], side index: Int, join: JoinPlan, rows: [[RawRow]],
                          condition: Expression?) throws -> [[Int32]] {
        let side = join.sides[index]
        let candidates = rows[index]
        let keepUnmatched = side.kind == .left
        let reader = condition.map { SlotReader($0.columnNames, sides: join.sides) }
        let test = try condition.map { (e) throws(Diagnostic) in try reader!.compile(e, now: planner.options.now) }
        var joined: [[Int32]] = []
        func add(_ tuple: [Int32]) throws {
            guard joined.count < maxRows else { throw ExecutionError.localRowLimit(maxRows, operation: "JOIN") }
            joined.append(tuple)
        }
        func matches(_ tuple: [Int32], _ candidate: Int) throws -> Bool {
            guard let test, let reader else { return true }
            return try test.passes(reader.values(tuple, candidate: Int32(candidate), rows: rows))
        }

        if let table = try HashTable(side.equalities, side: index, sides: join.sides, tuples: tuples, rows: rows, now: planner.options.now) {
            for (position, tuple) in tuples.enumerated() {
                var matched = false
                for candidate in table.candidates(forTuple: position) where try matches(tuple, candidate) {
                    matched = true
                    try add(tuple + [Int32(candidate)])
                }
                if !matched && keepUnmatched { try add(tuple + [-1]) }
            }
            return joined
        }
        for tuple in tuples {
            var matched = false
            for candidate in candidates.indices where try matches(tuple, candidate) {
                matched = true
                try add(tuple + [Int32(candidate)])
            }
            if !matched && keepUnmatched { try add(tuple + [-1]) }
        }
        return joined
    }

    /// A side's rows once each, by id: a server that answers `GET …/per-1` with `PER-1`, or
    /// an id both in `included` and looked up, must not double a match.
    static func distinctByID(_ rows: [RawRow]) -> [RawRow] {
        var seen: Set<String> = []
        return rows.filter { seen.insert($0.idText).inserted }
    }

    /// The names a side's rows have; for a side with no rows, the names of a few rows of its
    /// endpoint (one request, no filters), so that which table has a column does not depend on
    /// whether a filter matched, and a misspelt column of an empty side is still an error.
    static func columnNames(_ rows: [RawRow], or side: JoinPlan.Side, sampling executor: JoinExecutor,
                            summary: inout ExecutionSummary, side index: Int) async throws -> [String] {
        guard rows.isEmpty else { return columnNames(rows) }
        // A side read by id (its own condition is `id = …`) that found nothing is sampled from
        // its collection too: without names, SELECT * left out its columns.
        var sampled = side.plan
        sampled.target = .collection
        // Only names come of it: any failure of the sample (an endpoint that wants a filter, say)
        // leaves the side without names, as before.
        guard let (page, _) = try? await executor.firstPage(of: sampled, size: 10, filtered: false, summary: &summary) else { return [] }
        let names = columnNames(page.document.rows)
        // A column no sampled row has, but one a typo away from a name they have, is a typo:
        // an error, not a column of NULLs. One with no near name may just be left out when null.
        if !names.isEmpty, let missing = side.plan.readColumns.first(where: { column in
            !names.contains(column.name) && !side.plan.mayBeAbsent.contains(column.name)
                && Suggestion.closest(to: column.name, among: names) != nil
        }) {
            throw SideFailure(side: index, error: Diagnostic.unknownColumn(missing, endpoint: side.table.description, seen: names))
        }
        return names
    }

    /// The names a side's rows have: `id`, then attributes and relationships as they come.
    static func columnNames(_ rows: [RawRow]) -> [String] {
        var names: [String] = []
        var seen: Set<String> = []
        for row in rows {
            for name in row.columnNames where seen.insert(name).inserted { names.append(name) }
        }
        return names
    }
}

/// The `included` resources of a side's pages, as they arrive.
final class RowCollector: @unchecked Sendable {
    // Written only by the pager of one fetch, which hands pages over in order on one task.
    var rows: [RawRow] = []
    var refused = false
}

/// Reads a joined row's slots (`c.status`) from the side rows it points at.
struct SlotReader {
    let keys: [String]
    private let sources: [(side: Int, column: String)]

    init(_ keys: [String], sides: [JoinPlan.Side]) {
        self.keys = keys
        sources = keys.map { key in
            // The longest side name that prefixes the key: names are identifiers, and may hold dots.
            let match = sides.enumerated().filter { key.hasPrefix($0.element.name + ".") }.max { $0.element.name.count < $1.element.name.count }
            guard let match else { return (-1, key) }
            return (match.offset, String(key.dropFirst(match.element.name.count + 1)))
        }
    }

    func compile(_ expression: Expression, now: Instant) throws(Diagnostic) -> CompiledExpression {
        try ExpressionCompiler(slots: Dictionary(keys.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first }), now: now)
            .compile(expression)
    }

    /// The slots of `tuple`, and of `candidate` as the side after it (the row a join is
    /// trying), without building that longer tuple for every pair.
    func values(_ tuple: [Int32], candidate: Int32? = nil, rows: [[RawRow]]) -> [SQLValue] {
        sources.map { source in
            let index: Int32
            if source.side >= 0 && source.side < tuple.count { index = tuple[source.side] }
            else if source.side == tuple.count, let candidate { index = candidate }
            else { return .null }
            return index < 0 ? .null : rows[source.side][Int(index)].sqlValue(source.column)
        }
    }
}

/// A hash join's table: side rows by their equality keys (``SQLValue/joinKey``: text and
/// numbers meet where `=` says they are equal, and every candidate is checked with `=`).
/// Where all keys of a position are booleans, they hash as themselves; a mix with booleans or
/// nested values has no key, and the caller falls back to a nested loop.
struct HashTable {
    private var buckets: [[GroupValue]: [Int]] = [:]
    private var probes: [[GroupValue]?] = []

    init?(_ equalities: [JoinPlan.Equality], side: Int, sides: [JoinPlan.Side], tuples: [[Int32]], rows: [[RawRow]], now: Instant) throws {
        guard !equalities.isEmpty else { return nil }
        let thisReader = SlotReader(equalities.flatMap { $0.this.columnNames }, sides: sides)
        let earlierReader = SlotReader(equalities.flatMap { $0.earlier.columnNames }, sides: sides)
        var thisKeys: [CompiledExpression] = []
        var earlierKeys: [CompiledExpression] = []
        for equality in equalities {
            thisKeys.append(try thisReader.compile(equality.this, now: now))
            earlierKeys.append(try earlierReader.compile(equality.earlier, now: now))
        }
        var booleans = [Bool?](repeating: nil, count: equalities.count)
        /// A value of each side and position that `=` reads as text (not a number's spelling),
        /// and one it reads as a number: such a pair across the sides does not compare, which
        /// `=` says is an error, where their keys would just never meet.
        var text = [[SQLValue?]](repeating: [SQLValue?](repeating: nil, count: equalities.count), count: 2)
        var number = text
        /// The values' keys, or nil when this position cannot be hashed.
        func keys(_ values: [SQLValue], probing: Bool) -> [SQLValue]? {
            var keys: [SQLValue] = []
            for (position, value) in values.enumerated() {
                if value.isNull { keys.append(.null); continue }
                let isBoolean: Bool
                if case .boolean = value { isBoolean = true } else { isBoolean = false }
                if let known = booleans[position], known != isBoolean { return nil }
                booleans[position] = isBoolean
                if isBoolean { keys.append(value); continue }
                guard let key = value.joinKey else { return nil }
                let which = probing ? 1 : 0
                if case .text = key { if text[which][position] == nil { text[which][position] = value } }
                else if value.isNumber, number[which][position] == nil { number[which][position] = value }
                keys.append(key)
            }
            return keys
        }
        let placeholder = [Int32](repeating: -1, count: side)
        for candidate in rows[side].indices {
            let slots = thisReader.values(placeholder, candidate: Int32(candidate), rows: rows)
            var values: [SQLValue] = []
            for compiled in thisKeys { values.append(try compiled(slots)) }
            guard let key = keys(values, probing: false) else { return nil }
            if key.contains(where: \.isNull) { continue }  // NULL = anything is never true
            buckets[key.map(GroupValue.init), default: []].append(candidate)
        }
        probes.reserveCapacity(tuples.count)
        for tuple in tuples {
            let slots = earlierReader.values(tuple, rows: rows)
            var values: [SQLValue] = []
            for compiled in earlierKeys { values.append(try compiled(slots)) }
            guard let key = keys(values, probing: true) else { return nil }
            probes.append(key.contains(where: \.isNull) ? nil : key.map(GroupValue.init))
        }
        for (position, equality) in equalities.enumerated() {
            let range = SourceRange(min(equality.this.range.start, equality.earlier.range.start), max(equality.this.range.end, equality.earlier.range.end))
            if let a = text[0][position], let b = number[1][position] { throw Diagnostic.incomparable(b, a, at: range) }
            if let a = number[0][position], let b = text[1][position] { throw Diagnostic.incomparable(b, a, at: range) }
        }
    }

    func candidates(forTuple position: Int) -> [Int] {
        guard let key = probes[position] else { return [] }
        return buckets[key] ?? []
    }
}
