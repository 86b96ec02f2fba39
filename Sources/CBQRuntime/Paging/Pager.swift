import CBQCore

/// Reads one plan's rows page by page, in order: sequences the pages (links, page numbers or a
/// concurrent window), applies the guards (`--max-pages`, link cycles, foreign links, a 404
/// past the end), de-duplicates, skips the offset and caps, and hands rows to `emit`.
///
/// Each page goes through the stages of a ``PageFetcher``: the ``RequestSender``, the
/// ``PageDecoder`` and the ``LocalFilter``. The page formula is the plan's own
/// (``RequestPlan/startPage`` and ``RequestPlan/skipRows``), so halving a page size the API
/// rejected changes only ``RequestPlan/pageSize``.
final class Pager {
    var plan: RequestPlan
    let fetcher: PageFetcher
    let maxPages: Int
    let concurrency: Int
    let progress: Executor.Progress
    var summary = ExecutionSummary()
    private var seen = RecentIdentities()
    private var skipped = 0
    private var columnsChecked = false
    /// True when the caller needs no more rows (a local LIMIT is met).
    var satisfied: () -> Bool = { false }
    /// Where a compound document's `included` resources go (a join reads them).
    var included: (([RawRow]) throws -> Void)?
    /// See ``ExecutionOptions/strictFilterChecks``.
    var strictFilterChecks = false
    /// The pushed filters, compiled once, to check every row the API returns: one it ignored
    /// (`filter[person]`, which the guide does not promise, or any other) would pass every row.
    private var pushedChecks: [Int: LocalFilter] = [:]
    /// The identities of the first page's rows, and of the page before the current one.
    var firstPageIdentities: [UInt64]?
    private var previousPageIdentities: [UInt64] = []
    /// The order `sort=` asked for, checked on every row the API returns.
    private var sortCheck: SortOrderCheck?

    init(plan: RequestPlan, fetcher: PageFetcher, maxPages: Int, concurrency: Int, progress: @escaping Executor.Progress) {
        self.plan = plan
        self.fetcher = fetcher
        self.maxPages = maxPages
        self.concurrency = concurrency
        self.progress = progress
        sortCheck = plan.target == .collection && plan.dialect.sort == .checked ? SortOrderCheck(plan.sort) : nil
    }

    /// Fetches what the plan needs and returns what happened.
    func run(_ emit: Executor.Emit) async throws -> ExecutionSummary {
        if plan.rowCap == 0 { return summary }
        switch plan.target {
        case .resources: try await fetchResources(emit)
        case .collection: try await fetchCollection(emit)
        }
        if isCount, summary.count == nil { summary.count = summary.rowsEmitted }
        // A few pairs cbq cannot judge are noise; a quarter of them means the check was blind.
        if let sortCheck, sortCheck.unjudged > 0, sortCheck.unjudged * 4 >= sortCheck.unjudged + sortCheck.judged {
            let pairs = sortCheck.unjudged + sortCheck.judged
            summary.notices.append("the order of \(sortCheck.unjudged) of \(pairs) neighbouring rows could not be checked "
                                   + "(text beyond ASCII, nested values, numbers next to text): they are in the server's order")
        }
        return summary
    }

    var capReached: Bool {
        if let cap = plan.rowCap, summary.rowsEmitted >= cap { return true }
        return satisfied()
    }

    var isCount: Bool {
        if case .count = plan.projection { return true }
        return false
    }

    /// Takes a page's rows in order: de-duplicates, skips the offset, caps, emits.
    func consume(_ page: FetchedPage, _ emit: Executor.Emit) throws {
        summary.pages += 1
        summary.requests += page.attempts
        summary.retries += page.attempts - 1
        summary.bytes += page.bytes
        summary.waited += page.waited
        summary.throttled += page.throttled
        summary.requestTime += page.elapsed
        summary.rowsReceived += page.document.rows.count
        if let included, !page.document.included.isEmpty { try included(page.document.included) }
        if !columnsChecked, !page.document.rows.isEmpty {
            columnsChecked = true
            try checkColumns(page.document.rows)
            // A constant not of its column's type, which the rows show: `created_at < '2025-1-1'`
            // compared as text, where PostgreSQL reads a timestamp.
            try checkConstants(against: page.document.rows)
        }
        try checkPushedFilters(page.document.rows)
        try checkSortWasHonoured(page)
        try checkPageWasHonoured(page)
        // The page's rows go on as they are unless one is dropped (a duplicate, the offset,
        // the cap): only then is a copy made, of the rows kept. Rows are read in place, as
        // copying one touches the reference counts of its page and members.
        var kept: [RawRow]?
        // Read once: `plan.skipRows` is computed, and reading it through the class in the
        // loop copied the whole plan for every row.
        let skipRows = plan.skipRows
        page.identities.withUnsafeBufferPointer { identities in
            for index in identities.indices {
                let keep: Bool
                if capReached {
                    keep = false
                } else if !seen.insert(identities[index]) {
                    summary.duplicates += 1
                    keep = false
                } else if skipped < skipRows {
                    skipped += 1
                    keep = false
                } else {
                    keep = true
                    summary.rowsEmitted += 1
                }
                if keep {
                    kept?.append(page.passed[index])
                } else if kept == nil {
                    kept = Array(page.passed[..<index])
                }
            }
        }
        let out = kept ?? page.passed
        if !out.isEmpty, !isCount { try emit(out) }
        progress(summary)
    }

    /// Every column the statement reads must be on some row of the first page that has rows:
    /// a misspelt column is an error, never a silent column of NULLs.
    private func checkColumns(_ rows: [RawRow]) throws { try Self.checkColumns(rows, of: plan) }

    /// Whether a pushed filter reads a column that these rows have as a relationship.
    func filtersOnRelationships(_ rows: [RawRow]) -> Bool {
        let relationships = Self.relationshipNames(rows)
        return plan.pushed.contains { $0.expression?.columnNames.contains(where: relationships.contains) ?? false }
    }

    static func relationshipNames(_ rows: [RawRow]) -> Set<String> {
        var names: Set<String> = []
        for row in rows { for member in row.relationships { names.insert(member.key) } }
        return names
    }

    /// A row the API returned that a pushed filter rejects means the API ignored or misread
    /// the filter: an error at the condition, never rows it did not ask for. Every filter is
    /// checked on every row, with the local evaluator (the sandbox's semantics).
    ///
    /// A row is judged only by the columns it holds: an attribute left out (a server may omit
    /// nulls; a sparse fieldset omits what was not asked for) says nothing; nor does a
    /// relationship that is links-only (read as NULL), or a to-many's array.
    private func checkPushedFilters(_ rows: [RawRow]) throws {
        guard !plan.pushed.isEmpty, !rows.isEmpty else { return }
        for (index, predicate) in plan.pushed.enumerated() {
            guard let expression = predicate.expression else { continue }
            let read = expression.columnNames
            let asked = plan.fields.map { Set($0.values) }
            let constants = Self.constantKind(expression)
            let judged = strictFilterChecks ? rows
                : rows.filter { row in read.allSatisfy { Self.canJudge(row, by: $0, constants: constants, asked: asked) } }
            guard !judged.isEmpty else { continue }
            if pushedChecks[index] == nil { pushedChecks[index] = try LocalFilter(expression) }
            let passed = try pushedChecks[index]!.apply(judged)
            guard passed.count != judged.count else { continue }
            let sentAs = predicate.parameters.map { $0.formatted() }.joined(separator: "&")
            if read.contains(where: Self.relationshipNames(judged).contains) {
                throw Diagnostic.ignoredFilter(predicate.text, sentAs: sentAs, at: predicate.range)
            }
            let kept = Set(passed.map(\.identityHash))
            let example = judged.first { !kept.contains($0.identityHash) }?.idText ?? "a row"
            throw Diagnostic.ignoredAttributeFilter(predicate.text, sentAs: sentAs, example: example, at: predicate.range)
        }
    }

    /// What a filter compares with, where text may be read as something else. Decided once per
    /// filter, not per row.
    enum ConstantKind {
        /// Text, booleans: compared as cbq compares them.
        case plain
        /// A time: a value that is a time too compares as an instant, here as on any server;
        /// other text a server may read as a time in a form cbq does not know.
        case time
        /// A number: against text, a server may compare as what the text stands for
        /// (decimals sent as `"10.00"`) where cbq compares text.
        case number
    }

    private static func constantKind(_ filter: Expression) -> ConstantKind {
        var kind = ConstantKind.plain
        _ = filter.contains { node in
            guard case .literal(let literal, _) = node else { return false }
            switch literal {
            case .number: kind = .number; return true
            case .string(let text) where Instant(text) != nil: kind = .time
            default: break
            }
            return false
        }
        return kind
    }

    /// Whether a filter's answer can be judged by `row`'s value of `column`: not when a sparse
    /// fieldset left the column out, nor for a nested value or a links-only relationship, nor
    /// for text where the filter compares with a number, or with a time and the text is none. A column the row leaves out
    /// otherwise is NULL: a server that left out a null matched no filter but IS NULL with it.
    private static func canJudge(_ row: RawRow, by column: String, constants: ConstantKind, asked: Set<String>?) -> Bool {
        if column == "id" { return true }
        guard let member = row.attributes.first(where: { $0.key == column }) else { return asked?.contains(column) ?? true }
        switch row.sqlValue(column) {
        case .nested: return false
        case .null: return !member.isRelationship
        case .text(let text):
            switch constants {
            case .plain: return true
            case .time: return Instant(text) != nil
            case .number: return false
            }
        default: return true
        }
    }

    /// A later page whose rows all came on the first page, or on the page before it, is the
    /// server answering a page number it ignored: the result would repeat rows and miss the
    /// rest, so it is an error naming the parameter (never rows silently dropped as repeats).
    private func checkPageWasHonoured(_ page: FetchedPage) throws {
        let identities = page.allIdentities
        guard plan.target == .collection, !identities.isEmpty else { return }
        if let earlier = firstPageIdentities {
            if Self.isSubset(identities, of: earlier) || Self.isSubset(identities, of: previousPageIdentities) {
                let asked = page.url.map { PercentEncoding.decode($0.description) ?? $0.description } ?? "page \(summary.pages)"
                throw Diagnostic.ignoredPage(asked, page: summary.pages, parameter: plan.dialect.pageNumberParameter(2).formattedName(),
                                             at: SourceRange(plan.statementRange.start, plan.statementRange.start + 6))
            }
        } else {
            firstPageIdentities = identities
        }
        previousPageIdentities = identities
    }

    /// Rows out of the order `sort=` asked for mean the server ignored or misread it: an error at
    /// the ORDER BY, never a result (or a LIMIT's rows) in the server's own order. Rows the page
    /// before had too are skipped: rows added while the pages were read push them on.
    private func checkSortWasHonoured(_ page: FetchedPage) throws {
        guard sortCheck != nil else { return }
        let rows = page.document.rows
        let previous = previousPageIdentities.isEmpty ? [] : Set(previousPageIdentities)
        let identities = page.allIdentities
        guard let disorder = sortCheck!.firstDisorder(in: rows, isRepeat: { previous.contains(identities[$0]) }) else { return }
        let sentAs = plan.sortParameter?.formatted() ?? "sort"
        let (earlier, later, key) = (disorder.earlier.idText, disorder.later.idText, disorder.key)
        let why = disorder.nullBetweenValues
            ? "\(earlier) came before \(later), but NULLs of \(key.field) come all first or all last, not between its values"
            : "\(earlier) came before \(later), but \(key.field)\(key.descending ? " DESC" : "") puts \(later) first"
        throw Diagnostic.ignoredSort(sentAs: sentAs, why: why, count: disorder.count, pairs: disorder.pairs,
                                     at: plan.orderRange ?? SourceRange(plan.statementRange.start, plan.statementRange.start + 6))
    }

    /// Whether every element of `part` is in `whole`. A page the server honoured answers no
    /// at its first row, after one look through the other page's hundred or so identities;
    /// only a repeated page is compared whole.
    static func isSubset(_ part: [UInt64], of whole: [UInt64]) -> Bool {
        guard let first = part.first, whole.contains(first) else { return part.isEmpty }
        let wholeSet = Set(whole)
        return part.allSatisfy(wholeSet.contains)
    }

    static func checkColumns(_ rows: [RawRow], of plan: RequestPlan) throws {
        guard !plan.readColumns.isEmpty || !plan.groupAliases.isEmpty else { return }
        var names: Set<String> = ["id"]
        var ordered: [String] = ["id"]
        for row in rows {
            for member in row.attributes where names.insert(member.key).inserted { ordered.append(member.key) }
        }
        // With sparse fieldsets the rows carry only the fields asked for: a column read only by
        // a filter the API applied is not among them, and is no error.
        let asked = plan.fields.map { Set($0.values) }
        if let missing = plan.readColumns.first(where: {
            !names.contains($0.name) && asked?.contains($0.name) != false && !plan.mayBeAbsent.contains($0.name)
        }) {
            throw Diagnostic.unknownColumn(missing, endpoint: "\(plan.service).\(plan.endpoint)", seen: ordered)
        }
        if let alias = plan.groupAliases.first(where: { names.contains($0.name) }) {
            throw Diagnostic.ambiguousGroupAlias(alias, endpoint: "\(plan.service).\(plan.endpoint)")
        }
    }

    /// A request answered 404 where the data may end: counted, and said.
    /// A 404 where a page was asked for: the end of the data, past the last page, unless the
    /// page before said there was more (its next link, or a total beyond it), when the result
    /// is incomplete.
    func notFound(page number: Int?, after previous: FetchedPage? = nil, expectedTotal total: Int? = nil) {
        summary.requests += 1
        guard let number else { return }
        if let previous, morePages(after: previous, expectedTotal: total) {
            if summary.truncation == nil {
                summary.truncation = "page \(number) answered 404, though the page before "
                    + (previous.document.hasLinks ? "links to more" : "and the total (\(total ?? 0)) say there are more rows")
                summary.truncationHint = "run it again; if it persists, the API has a page it cannot serve"
            }
            return
        }
        summary.notices.append("page \(number) answered 404; taken as the end of the data")
    }

    // MARK: - Single resources

    /// `GET …/endpoint/<id>` for each id, `concurrency` at a time, rows in id order; a 404 is a
    /// resource that does not exist. `--max-pages` bounds the requests as it bounds pages.
    private func fetchResources(_ emit: Executor.Emit) async throws {
        var urls: [RequestURL] = []
        for url in plan.initialURLs(style: .wire) {
            guard let requestURL = RequestURL(url) else { throw ExecutionError.malformed("not a URL", url: url) }
            urls.append(requestURL)
        }
        if urls.count > maxPages {
            urls.removeSubrange(maxPages...)
            summary.truncation = "stopped after \(maxPages) requests by id (--max-pages); more ids remain"
        }
        let ids: [String] = if case .resources(let ids) = plan.target { ids } else { [] }
        _ = try await fetchInOrder(urls) { (pager, position, page) throws -> Bool in
            if let page {
                // A request by id answered with a collection, or with another resource, is not
                // the row asked for (a proxy that rewrote the path, a server that ignored it).
                let asked = position < ids.count ? ids[position] : nil
                if page.document.isCollection || page.document.rows.contains(where: { asked != nil && $0.idText != asked }) {
                    throw ExecutionError.malformed("a request for the resource \(asked ?? "") was answered with "
                        + (page.document.isCollection ? "a collection" : "another resource"), url: urls[position].description)
                }
                try pager.consume(page, emit)
            } else {
                pager.notFound(page: nil)
            }
            return !pager.capReached
        }
    }
}
