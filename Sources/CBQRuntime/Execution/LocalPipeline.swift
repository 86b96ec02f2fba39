#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import CBQCore

/// A row between the local operators: the output values (or the raw row, for `SELECT *`),
/// and the sort keys.
struct LocalRow {
    var raw: RawRow?
    var values: [SQLValue]
    var keys: [SQLValue]
}

/// The rows a sort holds, compactly: each row's keys as one byte string in a flat arena
/// (``SortKeyEncoding``: memcmp order is the ORDER BY's order), and per row either its output
/// values or, for `SELECT *`, only where its bytes are (its page and span; the row is indexed
/// again when it is written). The sort moves 4-byte indices, not rows.
struct SortBuffer {
    let descending: [Bool]
    let nullsFirst: [Bool]
    private(set) var encoded: [UInt8] = []
    /// Row i's keys are `encoded[offsets[i]..<offsets[i + 1]]`.
    private(set) var offsets: [Int] = [0]
    private var values: [[SQLValue]] = []
    private var pages: [PageBuffer] = []
    private var spans: [(page: Int32, start: Int32, end: Int32)] = []
    /// With an encoder, raw rows are kept as their output bytes, in 1 MiB chunks (one big
    /// array would need twice its size while it grows).
    let encoder: (@Sendable (RawRow) -> [UInt8])?
    private var chunks: [[UInt8]] = []
    private var encodedRows: [(chunk: Int32, start: Int32, end: Int32)] = []

    init(_ keys: [LocalQuery.SortKey], encoder: (@Sendable (RawRow) -> [UInt8])? = nil) {
        descending = keys.map(\.descending)
        nullsFirst = keys.map(\.nullsFirst)
        self.encoder = encoder
    }

    var count: Int { offsets.count - 1 }

    mutating func append(_ row: LocalRow) {
        for (index, key) in row.keys.enumerated() {
            SortKeyEncoding.append(key, descending: descending[index], nullsFirst: nullsFirst[index], to: &encoded)
        }
        offsets.append(encoded.count)
        if let raw = row.raw, let encoder {
            appendEncoded(encoder(raw)[...], chunkSize: 1 << 20)
        } else if let raw = row.raw {
            if pages.last !== raw.page { pages.append(raw.page) }
            spans.append((Int32(pages.count - 1), Int32(raw.span.lowerBound), Int32(raw.span.upperBound)))
        } else {
            values.append(row.values)
        }
    }

    /// Keeps a row's output bytes in the last chunk, or a new one when they do not fit.
    private mutating func appendEncoded(_ bytes: ArraySlice<UInt8>, chunkSize: Int) {
        if chunks.isEmpty || chunks[chunks.count - 1].count + bytes.count > chunks[chunks.count - 1].capacity {
            var chunk: [UInt8] = []
            chunk.reserveCapacity(max(chunkSize, bytes.count))
            chunks.append(chunk)
        }
        let start = chunks[chunks.count - 1].count
        chunks[chunks.count - 1] += bytes
        encodedRows.append((Int32(chunks.count - 1), Int32(start), Int32(start + bytes.count)))
    }

    /// The row indices in sort order; equal keys keep arrival order.
    func sortedOrder() -> [Int32] {
        var order = (0..<Int32(count)).map { $0 }
        encoded.withUnsafeBufferPointer { bytes in
            offsets.withUnsafeBufferPointer { offsets in
                let base = bytes.baseAddress
                order.sort { a, b in
                    let aStart = offsets[Int(a)], aEnd = offsets[Int(a) + 1]
                    let bStart = offsets[Int(b)], bEnd = offsets[Int(b) + 1]
                    let common = min(aEnd - aStart, bEnd - bStart)
                    if common > 0, let base {
                        let difference = memcmp(base + aStart, base + bStart, common)
                        if difference != 0 { return difference < 0 }
                    }
                    if aEnd - aStart != bEnd - bStart { return aEnd - aStart < bEnd - bStart }
                    return a < b
                }
            }
        }
        return order
    }

    /// Keeps the rows at `order`, in that order.
    mutating func reorder(_ order: [Int32]) {
        var newEncoded: [UInt8] = []
        var newOffsets: [Int] = [0]
        newOffsets.reserveCapacity(order.count + 1)
        for index in order {
            newEncoded += encoded[offsets[Int(index)]..<offsets[Int(index) + 1]]
            newOffsets.append(newEncoded.count)
        }
        encoded = newEncoded
        offsets = newOffsets
        if !values.isEmpty { values = order.map { values[Int($0)] } }
        if !encodedRows.isEmpty {
            // Copy the kept rows into fresh chunks; the old ones go.
            let kept = order.map { encodedRows[Int($0)] }
            let old = chunks
            chunks = []
            encodedRows = []
            for row in kept { appendEncoded(old[Int(row.chunk)][Int(row.start)..<Int(row.end)], chunkSize: 1 << 16) }
        }
        if !spans.isEmpty {
            spans = order.map { spans[Int($0)] }
            // Drop pages no kept row needs.
            let used = Set(spans.map(\.page))
            if used.count < pages.count {
                var renumber: [Int32: Int32] = [:]
                var kept: [PageBuffer] = []
                for (index, page) in pages.enumerated() where used.contains(Int32(index)) {
                    renumber[Int32(index)] = Int32(kept.count)
                    kept.append(page)
                }
                pages = kept
                spans = spans.map { (renumber[$0.page]!, $0.start, $0.end) }
            }
        }
    }

    /// The rows at `indices`, in order. Raw rows are indexed again in two halves at once.
    /// - Throws: if a held row cannot be read again (its page was validated when it came, so
    ///   this would be a bug; it must not lose a row quietly).
    func rows(_ indices: ArraySlice<Int32>) throws -> [ResultRow] {
        if !encodedRows.isEmpty {
            return indices.map { index in
                let row = encodedRows[Int(index)]
                return .encoded(chunks[Int(row.chunk)][Int(row.start)..<Int(row.end)])
            }
        }
        guard !spans.isEmpty, indices.count >= 512 else {
            let rows = indices.compactMap { row(Int($0)) }
            guard rows.count == indices.count else { throw ExecutionError.malformed("a sorted row could not be read again", url: "") }
            return rows
        }
        let middle = indices.count / 2
        var rows = [ResultRow?](repeating: nil, count: indices.count)
        rows.withUnsafeMutableBufferPointer { buffer in
            // Each half writes only its own slots, and both are done before the buffer is read.
            nonisolated(unsafe) let target = buffer
            DispatchQueue.concurrentPerform(iterations: 2) { half in
                var previous: RawRow?
                for position in half == 0 ? 0..<middle : middle..<indices.count {
                    let row = row(Int(indices[indices.startIndex + position]), like: previous)
                    if case .raw(let raw)? = row { previous = raw }
                    target[position] = row
                }
            }
        }
        let found = rows.compactMap { $0 }
        guard found.count == indices.count else { throw ExecutionError.malformed("a sorted row could not be read again", url: "") }
        return found
    }

    func row(_ index: Int, like previous: RawRow? = nil) -> ResultRow? {
        if !encodedRows.isEmpty {
            let row = encodedRows[index]
            return .encoded(chunks[Int(row.chunk)][Int(row.start)..<Int(row.end)])
        }
        if !spans.isEmpty {
            let span = spans[index]
            return PageIndexer.resource(in: pages[Int(span.page)], at: Int(span.start)..<Int(span.end), like: previous).map(ResultRow.raw)
        }
        return .values(values[index])
    }
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
    private var sortBuffer: SortBuffer
    private var skipped = 0
    private var emitted = 0
    /// For ORDER BY … LIMIT n: the sort keeps only the best OFFSET + n rows.
    private let keep: Int?

    private(set) var stats: [String: OperatorStats] = [:]

    init(_ query: LocalQuery, now: Instant, maxRows: Int, encoder: (@Sendable (RawRow) -> [UInt8])? = nil) throws(Diagnostic) {
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
        sortBuffer = SortBuffer(query.sort, encoder: encoder)
        let wanted = query.limit.map { query.offset.addingReportingOverflow($0) }
        if let wanted, !wanted.overflow, !query.sort.isEmpty, wanted.partialValue <= 100_000 { keep = wanted.partialValue } else { keep = nil }
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
                for row in rows { try accumulate(row.slots(inputColumns)) }
                return groupValues.count
            }
            return []
        }
        var batch = try project(rows.map { row in (row, row.slots(inputColumns)) })
        batch = try distinct(batch)
        return try sortOrEmit(batch)
    }

    /// Takes rows given as their input slots (the values of ``LocalQuery/inputColumns``, in
    /// order): the rows of a join.
    func consume(values rows: [[SQLValue]]) throws -> [ResultRow] {
        if query.grouping != nil {
            try measure("aggregate", rowsIn: rows.count) { () throws -> Int in
                for slots in rows { try accumulate(slots) }
                return groupValues.count
            }
            return []
        }
        var batch = try project(rows.map { (nil, $0) })
        batch = try distinct(batch)
        return try sortOrEmit(batch)
    }

    /// At the end of the rows: what the blocking operators held.
    /// Hands them to `emit` a batch at a time, so a sort's rows are indexed again (or its
    /// values released) as they are written, not all at once.
    func finish(_ emit: ([ResultRow]) throws -> Void) throws {
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
            batch = try distinct(batch)
            try emit(try sortOrEmit(batch))
            try drainSort(emit)
            return
        }
        try drainSort(emit)
    }

    // MARK: - Operators

    private func accumulate(_ slots: [SQLValue]) throws {
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
                result.append(LocalRow(raw: outputs == nil ? raw : nil, values: values, keys: keys))
            }
            return result
        }
    }

    /// DISTINCT streams, but remembers every row it has let through.
    private func distinct(_ rows: [LocalRow]) throws -> [LocalRow] {
        guard query.distinct else { return rows }
        return try measure("distinct", rowsIn: rows.count) { () throws -> [LocalRow] in
            let kept = rows.filter { seen.insert($0.values.map(GroupValue.init)).inserted }
            guard seen.count <= maxRows else { throw ExecutionError.localRowLimit(maxRows, operation: "DISTINCT") }
            return kept
        }
    }

    private func sortOrEmit(_ rows: [LocalRow]) throws -> [ResultRow] {
        guard query.sort.isEmpty else {
            try measure("sort", rowsIn: rows.count) { () throws -> Int in
                for row in rows { sortBuffer.append(row) }
                if let keep, sortBuffer.count >= max(keep + 1, min(max(2 * keep, 1024), maxRows)) {
                    sortBuffer.reorder(Array(sortBuffer.sortedOrder().prefix(keep)))
                }
                guard sortBuffer.count <= maxRows else { throw ExecutionError.localRowLimit(maxRows, operation: "ORDER BY") }
                return 0
            }
            return []
        }
        return limit(rows)
    }

    private func drainSort(_ emit: ([ResultRow]) throws -> Void) throws {
        guard !query.sort.isEmpty else { return }
        let order = measure("sort", rowsIn: 0) { () -> [Int32] in sortBuffer.sortedOrder() }
        let buffer = sortBuffer
        sortBuffer = SortBuffer(query.sort, encoder: sortBuffer.encoder)
        // A LIMIT reads (and indexes again) only what it keeps.
        let wanted = query.limit.map { limit in
            let (sum, overflow) = query.offset.addingReportingOverflow(limit)
            return overflow ? order.count : min(order.count, sum)
        } ?? order.count
        var start = 0
        while start < wanted {
            let end = min(wanted, start + Self.drainChunk)
            try emit(limit(try buffer.rows(order[start..<end])))
            start = end
        }
    }

    /// Rows written per batch at the end of a sort; raw rows of a batch are indexed again on
    /// both cores, half each, while nothing else runs.
    static let drainChunk = 4096

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
        limit(rows.map { $0.raw.map(ResultRow.raw) ?? .values($0.values) })
    }

    private func limit(_ rows: [ResultRow]) -> [ResultRow] {
        var result: [ResultRow] = []
        var count = 0
        for row in rows {
            if let limit = query.limit, emitted >= limit { break }
            count += 1
            if skipped < query.offset { skipped += 1; continue }
            emitted += 1
            result.append(row)
        }
        if query.limit != nil || query.offset > 0 { record("limit", rowsIn: count, rowsOut: result.count, time: .zero) }
        return result
    }

    // MARK: - Statistics

    @discardableResult
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

/// Sort keys as bytes whose memcmp order is the keys' order: per key a NULL marker (placed as
/// NULLS FIRST/LAST says, whatever the direction), then the value's kind and an
/// order-preserving encoding of it, every byte inverted for DESC. Numbers are encoded as a
/// double and then exactly (so 2, 2.0 and 2.00 are equal, and 2^53 + 1 follows 2^53), text as
/// its UTF-8 bytes with 0x00 escaped and a 0x00 0x00 terminator, so no encoding is a prefix of
/// another.
enum SortKeyEncoding {
    static func append(_ value: SQLValue, descending: Bool, nullsFirst: Bool, to bytes: inout [UInt8]) {
        if value.isNull {
            bytes.append(nullsFirst ? 0x00 : 0x02)
            return
        }
        bytes.append(0x01)
        let start = bytes.count
        switch value {
        case .null: break
        case .boolean(let flag):
            bytes.append(1)
            bytes.append(flag ? 1 : 0)
        case .integer, .decimal, .real:
            bytes.append(2)
            let double = value.doubleValue!
            var bits = (double == 0 ? 0.0 : double).bitPattern  // -0 sorts as 0
            bits = bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
            // Numbers a double cannot tell apart (beyond 2^53, or 17 digits) are told apart by
            // their exact value in units of 10^-18.
            let exact: Int128
            switch value {
            case .integer(let x): exact = Int128(x) * 1_000_000_000_000_000_000
            case .decimal(let d): exact = Int128(d.significand) * Int128(ExactDecimal.powers[ExactDecimal.maxScale - d.scale])
            default: exact = abs(double) < 1e20 ? Int128(double * 1e18) : (double < 0 ? .min : .max)
            }
            let unsigned = UInt128(bitPattern: exact) ^ (1 << 127)
            for shift in stride(from: 120, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: unsigned >> UInt128(shift))) }
        case .text(let text):
            // By its key: dates and timestamps as the instants `<` compares.
            bytes.append(3)
            Self.appendTerminated(ValueSemantics.textKey(text), to: &bytes)
        case .nested(let json):
            bytes.append(4)
            Self.appendTerminated(json, to: &bytes)
        }
        if descending {
            for index in start..<bytes.count { bytes[index] = ~bytes[index] }
        }
    }

    /// Text's bytes, a NUL escaped as 00 FF, ended by 00 00: a shorter text sorts first.
    private static func appendTerminated(_ text: String, to bytes: inout [UInt8]) {
        for byte in text.utf8 {
            bytes.append(byte)
            if byte == 0 { bytes.append(0xFF) }
        }
        bytes.append(0)
        bytes.append(0)
    }
}

