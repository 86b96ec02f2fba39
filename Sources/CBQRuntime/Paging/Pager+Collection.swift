import CBQCore

extension Pager {
    /// A collection: the first page, then `links.next` (same origin only) or page numbers, or,
    /// when the first page tells the page count and its next link is a plain page number, the
    /// rest through a concurrent window.
    func fetchCollection(_ emit: Executor.Emit) async throws {
        // COUNT(*) under filters asks, beside page 1, for the total without them (see below).
        let unfiltered: Task<Int?, Never>? = plan.countsFromTotal && !plan.pushed.isEmpty ? unfilteredTotal() : nil
        let first = try await firstPage()
        let base = RequestURL(plan.baseURL)!
        try consume(first.page, emit)
        if first.page.document.rows.isEmpty { try await checkConstantsOfAnEmptyAnswer() }
        summary.total = topLevelTotal(first.page.document)
        // A total under a filter on a relationship is the server's word that it filtered: the
        // rows are counted instead, each page checked (``checkRelationshipFilters``).
        if plan.countsFromTotal, !filtersOnRelationships(first.page.document.rows), let total = topLevelTotal(first.page.document),
           totalAgrees(total, with: first.page.document) {
            // Only page 1's rows are judged against the filters: a filtered total equal to the
            // whole collection's may be a filter the server ignored (or one every row passes).
            // The rows are then counted, every page judged, so that an ignored filter is caught.
            let whole = await unfiltered?.value
            if unfiltered != nil { summary.requests += 1 }
            if let whole, whole == total, total > first.page.document.rows.count {
                summary.notices.append("the filtered total (\(total)) is the whole collection's: the rows were counted, to be sure the filters were applied")
            } else {
                summary.count = total
                return
            }
        } else {
            unfiltered?.cancel()
        }
        var current = first
        var seenURLs: Set<String> = [first.url.description]
        let total = topLevelTotal(first.page.document)
        // How many pages there are, when the first page says, and where it says so.
        let counted = pageCount(first.page, url: first.url)
        var lastPage = counted?.pages
        var pageNumber = plan.startPage

        while !capReached {
            let document = current.page.document
            // An empty page ends the read unless it links on. Without links, more page numbers
            // would only be more empty pages: where the total says rows are missing (pages
            // numbered from 0, rows removed meanwhile), the read is incomplete.
            if document.rows.isEmpty && !(document.hasLinks && document.next != nil) {
                if !document.hasLinks, let total, case let seen = summary.rowsReceived + (plan.startPage - 1) * (plan.pageSize ?? 0),
                   seen < total, summary.truncation == nil {
                    summary.truncation = "page \(pageNumber) is empty, though the total (\(total)) says there are \(total - seen) rows more"
                    summary.truncationHint = "the API's pages may be numbered from 0 (see --page-param), or rows were removed while it was read"
                }
                return
            }
            // Where is the next page?
            let nextURL: RequestURL
            if document.hasLinks {
                guard let next = document.next else { return }
                guard let resolved = current.url.resolve(next) else {
                    throw ExecutionError.malformed("links.next is not a URL: \(next)", url: current.url.description)
                }
                guard resolved.origin == base.origin else {
                    throw ExecutionError.foreignLink(resolved.description, expectedOrigin: base.origin)
                }
                nextURL = resolved
            } else {
                if let total, summary.rowsReceived + (plan.startPage - 1) * (plan.pageSize ?? 0) >= total { return }
                nextURL = RequestURL(plan.url(page: pageNumber + 1, style: .wire))!
            }
            if summary.pages >= maxPages {
                summary.truncation = "stopped after \(summary.pages) pages (--max-pages); more pages remain"
                return
            }
            guard seenURLs.insert(nextURL.description).inserted else {
                summary.truncation = "links.next repeats a page already fetched (\(nextURL)); stopped to avoid a loop"
                return
            }
            // With a known page count and numbered links, fetch the rest several pages at a time.
            // A count that makes this page the last, while it is full and links on, is no
            // count (a per-page `meta.count`, say): the pages are followed one by one.
            if let last = lastPage, last <= pageNumber { lastPage = nil }
            if let last = lastPage, concurrency > 1,
               let template = PageTemplate(next: nextURL, expectedPage: pageNumber + 1, dialect: plan.dialect),
               current.page.document.rows.count == plan.pageSize {
                // A page count that fell short (the collection grew, or a count found in meta
                // was not the server's total) ends on a full page that links to another: the
                // pages after it are followed one by one.
                summary.pageCountSource = counted?.source
                guard let end = try await fetchWindow(from: pageNumber + 1, through: last, after: current.page, expectedTotal: total,
                                                      template: template, emit) else { return }
                for url in end.urls { seenURLs.insert(url.description) }
                current = (end.page, end.url)
                pageNumber = end.number
                lastPage = nil
                continue
            }
            guard let page = try await fetcher.fetch(nextURL, acceptNotFound: true) else {
                notFound(page: pageNumber + 1, after: current.page, expectedTotal: total)
                return
            }
            noteTotalChange(page.document, expected: total)
            try consume(page, emit)
            current = (page, nextURL)
            pageNumber += 1
        }
    }

    /// An empty answer is judged by no row: a constant the server could not read as its
    /// column's type (`archived = 1`, `max_capacity > '2O'`) matches nothing and says so
    /// nowhere. Rows of the collection read without the filters show the filtered columns'
    /// types, and the constants are checked against them (``checkConstants(against:)``). One
    /// request, only for an empty answer to a comparison, BETWEEN or IN with a constant, and
    /// only where the planner did not know the columns' types (it checked them then).
    private func checkConstantsOfAnEmptyAnswer() async throws {
        guard plan.pushed.contains(where: { $0.expression.map(needsTypeCheck) ?? false }) else { return }
        // An API that refuses the unfiltered read (one that requires a filter, a token scoped to
        // some rows) leaves the empty answer as it was: the check is cbq's, not the statement's.
        let url = RequestURL(plan.firstPageURL(size: Self.typeSampleSize, filtered: false))!
        guard let page = try? await fetcher.fetch(url, acceptNotFound: true) else { return }
        summary.requests += page.attempts
        try checkConstants(against: page.document.rows)
        // A constant of the type but sent otherwise than the type's spelling (`archived = 't'`,
        // where cbq reads TRUE): the API may have read the text, and found nothing. Page 1 is
        // asked again in the type's spelling; rows there mean it did.
        var options = PlannerOptions()
        options.dialect = plan.dialect
        let planner = Planner(options)
        var again = plan
        var respelt: (predicate: RequestPlan.PushedPredicate, read: Expression)?
        for (index, predicate) in plan.pushed.enumerated() {
            guard let filter = predicate.expression, needsTypeCheck(filter) else { continue }
            let read = try planner.normalisingConstants(filter, types: Self.types(of: filter, in: page.document.rows))
            guard read != filter, let parameters = planner.filterParameters(read), parameters != predicate.parameters else { continue }
            again.pushed[index].parameters = parameters
            again.pushed[index].expression = read
            respelt = respelt ?? (predicate, read)
        }
        guard let respelt, let answer = try? await fetcher.fetch(RequestURL(again.firstPageURL(size: 1, filtered: true))!, acceptNotFound: true)
        else { return }
        summary.requests += answer.attempts
        guard !answer.document.rows.isEmpty else { return }  // empty either way: the answer stands
        throw Diagnostic.constantSpeltOtherwise(respelt.predicate.text, as: respelt.read.description, at: respelt.predicate.range)
    }

    /// Rows read to learn the types of an empty answer's columns: enough to see a column that
    /// mixes types (and is then text), few enough to cost a small page.
    static let typeSampleSize = 20

    /// A comparison, BETWEEN or IN list with a constant: what a column's type reads (LIKE
    /// and IS NULL are read the same whatever the type).
    static func comparesWithAConstant(_ filter: Expression) -> Bool {
        switch filter.ungrouped {
        case .comparison, .between, .inList:
            return filter.contains { if case .literal(let literal, _) = $0 { literal != .null } else { false } }
        default:
            return false
        }
    }

    /// Each pushed filter's constants against the types `rows` show of its columns: a constant
    /// not of its column's type is an error at it, as the planner makes it before sending when
    /// the catalog knows the type (``Planner/normalisingConstants(_:types:)``). A column's type
    /// is the one all its values in `rows` share; one that mixes types is text, and says nothing.
    func checkConstants(against rows: [RawRow]) throws {
        for filter in plan.pushed.compactMap(\.expression) where needsTypeCheck(filter) {
            let types = Self.types(of: filter, in: rows)
            guard !types.isEmpty else { continue }
            _ = try Planner().normalisingConstants(filter, types: types)
        }
    }

    /// The types `rows` show of `filter`'s columns (``sharedType(of:in:)``).
    private static func types(of filter: Expression, in rows: [RawRow]) -> [String: ColumnType] {
        var types: [String: ColumnType] = [:]
        for column in filter.columnNames {
            if let type = sharedType(of: column, in: rows) { types[column] = type }
        }
        return types
    }

    /// A filter the planner could not check: it compares with a constant, and the catalog
    /// knew the type of none of its columns.
    private func needsTypeCheck(_ filter: Expression) -> Bool {
        Self.comparesWithAConstant(filter) && !filter.columnNames.allSatisfy(plan.columnsOfKnownType.contains)
    }

    /// The type every non-null value of `column` in `rows` has (dates and timestamps mixed are
    /// timestamps); nil when none has one, or any is text or nested, or they differ.
    static func sharedType(of column: String, in rows: [RawRow]) -> ColumnType? {
        var shared: ColumnType?
        for row in rows {
            guard let range = row.raw(column) else { continue }
            let bytes = row.page.bytes[range]
            if bytes.first == UInt8(ascii: "n") { continue }
            guard let type = columnType(of: bytes) else { return nil }
            switch (shared, type) {
            case (nil, _): shared = type
            case (.date?, .timestamp), (.timestamp?, .date): shared = .timestamp
            case let (known?, type) where known == type: break
            default: return nil
            }
        }
        return shared
    }

    /// A raw JSON value's type, as a constant compared with it is read: nil for text, null and
    /// nested values.
    static func columnType(of bytes: ArraySlice<UInt8>) -> ColumnType? {
        guard let first = bytes.first else { return nil }
        switch first {
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .boolean
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "\""):
            let text = String(decoding: bytes.dropFirst().dropLast(), as: UTF8.self)
            guard Instant(text) != nil else { return nil }
            return text.utf8.count == 10 ? .date : .timestamp
        default: return nil
        }
    }

    /// The first page; a 400 blaming the page size halves it and tries again. Only the page
    /// size changes: the plan works out the start page and the rows to skip from it.
    ///
    /// An OFFSET that starts past page 1 trusts the server to honour both `page[size]` and the
    /// page number, which a server may ignore or clamp without a word: page 1 is read too, and
    /// tells. Rows there in another number than asked, with more to come (or more than asked
    /// at all), are the server's page size: the start page is found again for it. The start
    /// page's rows must not be page 1's (``checkPageWasHonoured(_:)``), and a 404 there is the
    /// end of the data only when page 1 does not say there is more.
    private func firstPage() async throws -> (page: FetchedPage, url: RequestURL) {
        var resized = false
        while true {
            let url = RequestURL(plan.url(page: plan.startPage, style: .wire))!
            do {
                guard plan.startPage > 1, let size = plan.pageSize else {
                    return (try await fetcher.fetch(url)!, url)
                }
                // Page 1 beside the start page (after it, one request at a time).
                let firstURL = RequestURL(plan.url(page: 1, style: .wire))!
                let one: FetchedPage
                let start: FetchedPage?
                let fetcher = self.fetcher
                if concurrency > 1 {
                    async let started = fetcher.fetch(url, acceptNotFound: true)
                    one = try await fetcher.fetch(firstURL)!  // a 404 here is the endpoint's: an error
                    start = try await started
                } else {
                    one = try await fetcher.fetch(firstURL)!
                    start = try await fetcher.fetch(url, acceptNotFound: true)
                }
                summary.requests += one.attempts
                let count = one.document.rows.count
                let oneTotal = foundTotal(in: one.document, atLeast: count)?.total
                let moreAfterOne = one.document.hasLinks ? one.document.next != nil : oneTotal.map { $0 > count } ?? (count == size)
                if count > size || (count < size && moreAfterOne) {
                    guard !resized, count > 0 else {
                        throw ExecutionError.malformed("the API answered page[size]=\(size) with \(count) rows and more to come, twice: "
                                                       + "its pages are not the size asked for, so OFFSET cannot be found by page number",
                                                       url: firstURL.description)
                    }
                    resized = true
                    summary.requests += start?.attempts ?? 1
                    summary.notices.append("the API answered page[size]=\(size) with \(count) rows; the OFFSET's page was found again for pages of \(count)")
                    plan.pageSize = count
                    continue
                }
                // Page 1 short with nothing to say there is more, yet the start page holds as many
                // rows: the server clamps page[size] silently (rows dropped after paging would not
                // leave two pages alike). Its pages are that size.
                if count > 0, count < size, !resized, let start, start.document.rows.count == count {
                    resized = true
                    summary.requests += start.attempts
                    summary.notices.append("the API answered page[size]=\(size) with pages of \(count) rows; the OFFSET's page was found again for pages of \(count)")
                    plan.pageSize = count
                    continue
                }
                firstPageIdentities = one.allIdentities
                guard let start else {
                    // A 404 past page 1 is the end only where page 1 does not say there is more
                    // than the pages before the start page hold.
                    let before = (plan.startPage - 1) * size
                    if let total = oneTotal, total > before {
                        throw ExecutionError.malformed("page \(plan.startPage) answered 404, though page 1's total (\(total)) says it has rows",
                                                       url: url.description)
                    }
                    notFound(page: plan.startPage)
                    return (FetchedPage(document: IndexedDocument(), passed: [], bytes: 0, attempts: 1, url: url), url)
                }
                let startCount = start.document.rows.count
                if startCount > size || (startCount < size && (start.document.hasLinks ? start.document.next != nil : false)) {
                    throw ExecutionError.malformed("the API answered page \(plan.startPage) with \(startCount) rows where page 1 had \(count) "
                                                   + "and more to come: its pages are not the size asked for, so OFFSET cannot be found by page number",
                                                   url: url.description)
                }
                return (start, url)
            } catch let error as ExecutionError {
                guard error.status == 400, let size = plan.pageSize, size > 1, blamesPageSize(error) else { throw error }
                plan.pageSize = size / 2
                summary.requests += 1
                summary.notices.append("the API rejected page[size]=\(size); using \(size / 2)")
            }
        }
    }

    private func blamesPageSize(_ error: ExecutionError) -> Bool {
        guard case .api(_, _, _, let errors, _) = error else { return false }
        // The error must be about the page size itself, not a filter on a column like shoe_size.
        let sizeName = plan.dialect.pageSizeParameter(1).formattedName()
        return errors.contains { item in
            if let parameter = item.parameter { return (PercentEncoding.decode(parameter) ?? parameter) == sizeName }
            return (item.detail ?? "").contains(sizeName)
        }
    }

    func topLevelTotal(_ document: IndexedDocument) -> Int? { Self.total(in: document, path: plan.totalPath) }

    /// Where JSON:API servers keep a collection's total, after the dialect's (or
    /// `--total-path`'s) place: these are only believed to size the window (COUNT(*) reads
    /// the dialect's alone), and a count that falls short is caught at the window's end.
    static let foundTotalPaths = [
        ["meta", "total"], ["meta", "count"], ["meta", "total_count"], ["meta", "totalCount"],
        ["meta", "pagination", "count"], ["meta", "pagination", "total"], ["meta", "page", "total"],
    ]
    /// Where they keep the number of pages.
    static let foundPageCountPaths = [["meta", "pagination", "pages"], ["meta", "page", "totalPages"], ["meta", "page", "lastPage"]]

    /// How many pages the collection has from the start page on, as the first page says: the
    /// total where the dialect keeps it, else one where servers do, else a page count, else
    /// the page number of `links.last`; with where it was found (for `explain analyze` and
    /// the summary). A number the first page contradicts (a total below the rows already
    /// seen) is no count.
    func pageCount(_ first: FetchedPage, url: RequestURL) -> (pages: Int, source: String)? {
        let document = first.document
        let size = max(1, plan.pageSize ?? 1)
        let seenRows = (plan.startPage - 1) * size + document.rows.count
        var found = foundTotal(in: document, atLeast: seenRows).map { (pages: ($0.total + size - 1) / size, source: $0.path.joined(separator: ".")) }
        if found == nil {
            for path in Self.foundPageCountPaths {
                guard let pages = Self.total(in: document, path: path), pages >= plan.startPage else { continue }
                found = (pages, path.joined(separator: "."))
                break
            }
        }
        if found == nil, let last = document.last.flatMap({ url.resolve($0) }).flatMap({ PageTemplate.pageNumber(in: $0, dialect: plan.dialect) }),
           last >= plan.startPage {
            found = (last, "links.last")
        }
        return found
    }

    /// The collection's total as a document says it: where the dialect keeps it, else where
    /// servers do (``foundTotalPaths``); one below `rows`, which the pages already hold, is no
    /// total.
    func foundTotal(in document: IndexedDocument, atLeast rows: Int) -> (total: Int, path: [String])? {
        for path in [plan.totalPath] + Self.foundTotalPaths.filter({ $0 != plan.totalPath }) {
            if let total = Self.total(in: document, path: path), total >= rows { return (total, path) }
        }
        return nil
    }

    static func total(in document: IndexedDocument, path totalPath: [String]) -> Int? {
        // The plan's path starts at the document: ["meta", "total"].
        guard totalPath.first == "meta", case .number(let total)? = document.meta?[path: Array(totalPath.dropFirst())],
              total >= 0, total.isFinite
        else { return nil }
        // A server's number is untrusted: a fraction, or 2^53 and past (where a double stops
        // counting exactly, and page arithmetic could overflow), is no total at all.
        guard total < Self.largestTotal, let count = Int(exactly: total) else { return nil }
        return count
    }

    static let largestTotal = 9_007_199_254_740_992.0

    /// A total that differs from the first page's: the collection changed while it was read.
    /// Rows added before the place reached push rows onto the next page, where they repeat
    /// (and are dropped); rows removed pull rows back onto pages already read, where they are
    /// never seen. A total that went down is that doubt: the result is incomplete.
    func noteTotalChange(_ document: IndexedDocument, expected: Int?) {
        guard let expected, let now = topLevelTotal(document), now != expected, summary.collectionChange == nil else { return }
        let change = "the collection changed while it was read (total \(expected), then \(now)); rows may be missing or repeated"
        summary.collectionChange = change
        if now < expected, summary.truncation == nil {
            summary.truncation = "the collection lost rows while it was read (total \(expected), then \(now)), so rows after them "
                + "moved onto pages already read and were not seen"
            summary.truncationHint = "run it again; a filter or an ORDER BY that keeps new and removed rows out of the way helps"
        } else {
            summary.notices.append(change)
        }
    }

    /// Whether a total can be page 1's count of the collection: not below its rows, above them
    /// when it links on, and equal to them when it is the only page. (A total of 5 beside 100
    /// rows and a next link, or a per-page count, counted COUNT(*) wrong.)
    func totalAgrees(_ total: Int, with document: IndexedDocument) -> Bool {
        let rows = document.rows.count
        guard total >= rows else { return false }
        if document.hasLinks { return document.next != nil ? total > rows : total == rows }
        return true
    }

    /// The collection's total without the filters, from one `page[size]=1` request, started
    /// at once; nil when the server gives none or the request fails (the total is then used).
    private func unfilteredTotal() -> Task<Int?, Never> {
        let fetcher = self.fetcher
        let path = plan.totalPath
        let url = RequestURL(plan.firstPageURL(size: 1, filtered: false))
        return Task { () -> Int? in
            guard let url else { return nil }
            do {
                guard let page = try await fetcher.fetch(url, acceptNotFound: true) else { return nil }
                return Pager.total(in: page.document, path: path)
            } catch {
                return nil
            }
        }
    }

    /// Whether the server says there are pages after `page`: a next link, or, without links,
    /// a total beyond the rows read so far.
    func morePages(after page: FetchedPage, expectedTotal total: Int?) -> Bool {
        if page.document.hasLinks { return page.document.next != nil }
        guard let total, let size = plan.pageSize else { return false }
        return summary.rowsReceived + (plan.startPage - 1) * size < total
    }
}
