import CBQCore

/// Settings of a run that are not part of the plan.
public struct ExecutionOptions: Sendable {
    /// Sent as `Authorization: Bearer …`, to the plan's origin only.
    public var token: String?
    /// A guard against endless paging; reaching it stops the fetch and says so.
    public var maxPages = 10_000
    /// Pages fetched at once when the page count is known (from `meta`): 1 turns it off.
    public var concurrency = 8
    public var retry = RetryPolicy()

    public init() {}
}

/// What happened, for the summary line and the exit status.
public struct ExecutionSummary: Sendable {
    public var requests = 0
    public var pages = 0
    public var retries = 0
    public var bytes = 0
    /// Rows received from the API, before local predicates.
    public var rowsReceived = 0
    /// Rows handed to the caller.
    public var rowsEmitted = 0
    public var duplicates = 0
    /// COUNT(*)'s answer.
    public var count: Int?
    /// Things worth a line on stderr (a page size halved, a collection that changed meanwhile).
    public var notices: [String] = []
    /// Set when a guard stopped the fetch before the data ended: the result is incomplete.
    public var truncation: String?
}

/// Runs a ``RequestPlan`` against the API: fetches every page it needs, applies the local
/// predicates, de-duplicates, skips and caps, and hands rows to `emit` in order, page by page.
///
///     let executor = Executor(transport: AsyncHTTPTransport(), options: options)
///     let summary = try await executor.run(plan) { rows in renderer.write(rows) }
///
/// Paging follows `links.next` (same origin only), or page numbers when the server gives no
/// links. When the first page tells the total and its next link is a plain page number, the
/// following pages are fetched several at a time and still emitted in order.
public struct Executor: Sendable {
    public let transport: any HTTPTransport
    public let options: ExecutionOptions

    public init(transport: any HTTPTransport, options: ExecutionOptions = ExecutionOptions()) {
        self.transport = transport
        self.options = options
    }

    public typealias Emit = ([RawRow]) throws -> Void
    public typealias Progress = @Sendable (ExecutionSummary) -> Void

    public func run(_ plan: RequestPlan, progress: @escaping Progress = { _ in }, emit: Emit) async throws -> ExecutionSummary {
        var run = Run(plan: plan, executor: self, progress: progress)
        if plan.rowCap == 0 { return run.summary }
        switch plan.target {
        case .resources:
            try await run.fetchResources(emit)
        case .collection:
            try await run.fetchCollection(emit)
        }
        if case .count = plan.projection, run.summary.count == nil { run.summary.count = run.summary.rowsEmitted }
        return run.summary
    }

    /// The result of one page request.
    struct Page: Sendable {
        var document: IndexedDocument
        /// The rows that passed the local predicates (before de-duplication, which needs order).
        var passed: [RawRow]
        var bytes: Int
        var attempts: Int
    }

    /// Sends one GET with retries and indexes its answer. Statuses other than 2xx become
    /// ``ExecutionError/api``; `acceptNotFound` turns a 404 into nil (a page past the end).
    func fetch(_ url: RequestURL, plan: RequestPlan, acceptNotFound: Bool = false) async throws -> Page? {
        var headers: [(name: String, value: String)] = [
            ("Accept", "application/vnd.api+json"), ("Content-Type", "application/vnd.api+json"), ("User-Agent", "cbq/0.1"),
        ]
        if let token = options.token, let base = RequestURL(plan.baseURL), base.origin == url.origin {
            headers.append(("Authorization", "Bearer \(token)"))
        }
        let request = HTTPRequestSpec(url: url, headers: headers)
        var attempt = 0
        while true {
            attempt += 1
            try Task.checkCancellation()
            let reply: HTTPReply
            do {
                reply = try await transport.send(request)
            } catch let error as TransportError {
                guard attempt < options.retry.maxAttempts, error.kind != .tooLarge else {
                    throw ExecutionError.transport(error, method: "GET", url: url.description, attempts: attempt)
                }
                try await Task.sleep(for: options.retry.backoff(afterAttempt: attempt))
                continue
            }
            if RetryPolicy.retryableStatuses.contains(reply.status), attempt < options.retry.maxAttempts {
                switch options.retry.pause(afterAttempt: attempt, retryAfter: reply.header("Retry-After")) {
                case .wait(let pause):
                    try await Task.sleep(for: pause)
                    continue
                case .refuse(let seconds):
                    throw ExecutionError.api(status: reply.status, method: "GET", url: url.description,
                                             errors: [APIErrorItem(title: "Retry-After too long", detail: "the API asks to wait \(seconds) s")],
                                             attempts: attempt)
                }
            }
            if reply.status == 404 && acceptNotFound { return nil }
            guard (200..<300).contains(reply.status) else {
                let errors = APIErrorItem.all(in: (try? PageIndexer.index(reply.body))?.errors)
                throw ExecutionError.api(status: reply.status, method: "GET", url: url.description, errors: errors, attempts: attempt)
            }
            let document: IndexedDocument
            do {
                document = try PageIndexer.index(reply.body)
            } catch {
                throw ExecutionError.malformed(error.description, url: url.description)
            }
            var passed = document.rows
            if let filter = plan.localFilter {
                passed = passed.filter { row in PredicateEvaluator.evaluate(filter) { row.value($0) } == true }
            }
            return Page(document: document, passed: passed, bytes: reply.body.count, attempts: attempt)
        }
    }
}

/// The state of one run: counters, the de-duplication set, and the ordered consumer.
struct Run {
    var plan: RequestPlan
    let executor: Executor
    let progress: Executor.Progress
    var summary = ExecutionSummary()
    private var seen = RecentIdentities()
    private var skipped = 0

    init(plan: RequestPlan, executor: Executor, progress: @escaping Executor.Progress) {
        self.plan = plan
        self.executor = executor
        self.progress = progress
    }

    var capReached: Bool {
        if let cap = plan.rowCap { return summary.rowsEmitted >= cap }
        return false
    }

    /// Takes a page's rows in order: de-duplicates, skips the offset, caps, emits.
    mutating func consume(_ page: Executor.Page, _ emit: Executor.Emit) throws {
        summary.pages += 1
        summary.requests += page.attempts
        summary.retries += page.attempts - 1
        summary.bytes += page.bytes
        summary.rowsReceived += page.document.rows.count
        var out: [RawRow] = []
        out.reserveCapacity(page.passed.count)
        for row in page.passed {
            if capReached { break }
            guard seen.insert(row.identityHash) else { summary.duplicates += 1; continue }
            if skipped < plan.skipRows { skipped += 1; continue }
            out.append(row)
            summary.rowsEmitted += 1
        }
        if !out.isEmpty, !isCount { try emit(out) }
        progress(summary)
    }

    var isCount: Bool {
        if case .count = plan.projection { return true }
        return false
    }

    // MARK: - Single resources

    mutating func fetchResources(_ emit: Executor.Emit) async throws {
        for url in plan.initialURLs(style: .wire) {
            guard !capReached else { return }
            guard let requestURL = RequestURL(url) else { throw ExecutionError.malformed("not a URL", url: url) }
            if let page = try await executor.fetch(requestURL, plan: plan, acceptNotFound: true) {
                try consume(page, emit)
            } else {
                summary.requests += 1
            }
        }
    }

    // MARK: - Collections

    mutating func fetchCollection(_ emit: Executor.Emit) async throws {
        let first = try await firstPage()
        let base = RequestURL(plan.baseURL)!
        try consume(first.page, emit)
        if plan.countsFromTotal, let total = topLevelTotal(first.page.document) {
            summary.count = total
            return
        }
        var current = first
        var seenURLs: Set<String> = [first.url.description]
        let total = topLevelTotal(first.page.document)
        // How many pages there are, when the first page says: from meta's total, or from the
        // page number of its `last` link.
        let pageSize = max(1, plan.pageSize ?? 1)
        let lastPage: Int? = total.map { ($0 + pageSize - 1) / pageSize }
            ?? first.page.document.last.flatMap { first.url.resolve($0) }.flatMap { PageTemplate.pageNumber(in: $0, plan: plan) }
        var pageNumber = plan.startPage

        while !capReached {
            let document = current.page.document
            if document.rows.isEmpty { return }
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
            if summary.pages >= executor.options.maxPages {
                summary.truncation = "stopped after \(summary.pages) pages (--max-pages); more pages remain"
                return
            }
            guard seenURLs.insert(nextURL.description).inserted else {
                summary.truncation = "links.next repeats a page already fetched (\(nextURL)); stopped to avoid a loop"
                return
            }
            // With a known page count and numbered links, fetch the rest several pages at a time.
            if let lastPage, executor.options.concurrency > 1, let template = PageTemplate(next: nextURL, expectedPage: pageNumber + 1, plan: plan),
               current.page.document.rows.count == plan.pageSize {
                try await fetchConcurrently(from: pageNumber + 1, through: lastPage, expectedTotal: total, template: template, emit)
                return
            }
            guard let page = try await executor.fetch(nextURL, plan: plan, acceptNotFound: true) else {
                summary.requests += 1
                summary.notices.append("page \(pageNumber + 1) answered 404; taken as the end of the data")
                return
            }
            noteTotalChange(page.document, expected: total)
            try consume(page, emit)
            current = (page, nextURL)
            pageNumber += 1
        }
    }

    /// The first page; a 400 blaming the page size halves it and tries again.
    private mutating func firstPage() async throws -> (page: Executor.Page, url: RequestURL) {
        while true {
            let url = RequestURL(plan.url(page: plan.startPage, style: .wire))!
            do {
                let page = try await executor.fetch(url, plan: plan)!
                return (page, url)
            } catch let error as ExecutionError {
                guard error.status == 400, let size = plan.pageSize, size > 1, blamesPageSize(error) else { throw error }
                let offset = (plan.startPage - 1) * size + (plan.local.isEmpty ? plan.skipRows : 0)
                let halved = size / 2
                plan.pageSize = halved
                if plan.local.isEmpty {
                    plan.startPage = offset / halved + 1
                    plan.skipRows = offset % halved
                }
                summary.requests += 1
                summary.notices.append("the API rejected page[size]=\(size); using \(halved)")
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

    private func topLevelTotal(_ document: IndexedDocument) -> Int? {
        // The plan's path starts at the document: ["meta", "total"].
        guard plan.totalPath.first == "meta", case .number(let total)? = document.meta?[path: Array(plan.totalPath.dropFirst())],
              total >= 0, total.isFinite
        else { return nil }
        return Int(total)
    }

    private mutating func noteTotalChange(_ document: IndexedDocument, expected: Int?) {
        if let expected, let now = topLevelTotal(document), now != expected,
           !summary.notices.contains(where: { $0.hasPrefix("the collection changed") }) {
            summary.notices.append("the collection changed while it was read (total \(expected), then \(now)); rows may be missing or repeated")
        }
    }

    /// Fetches pages `firstPage`…`pageCount` with up to `concurrency` requests in flight,
    /// emitting in order, and no more pages than the row cap or `--max-pages` need.
    private mutating func fetchConcurrently(from firstPage: Int, through pageCount: Int, expectedTotal total: Int?, template: PageTemplate,
                                            _ emit: Executor.Emit) async throws {
        let size = plan.pageSize!
        var lastPage = pageCount
        if plan.local.isEmpty, let cap = plan.rowCap {
            let needed = plan.skipRows + cap  // rows from the start page on
            lastPage = min(lastPage, plan.startPage - 1 + (needed + size - 1) / size)
        }
        lastPage = min(lastPage, plan.startPage - 1 + executor.options.maxPages)
        let moreThanAllowed = pageCount > lastPage && !(plan.local.isEmpty && plan.rowCap != nil)
        guard firstPage <= lastPage else { return }
        let executor = self.executor
        let plan = self.plan
        let window = executor.options.concurrency
        try await withThrowingTaskGroup(of: (Int, Executor.Page?).self) { group in
            var nextToLaunch = firstPage
            var nextToEmit = firstPage
            var ready: [Int: Executor.Page?] = [:]
            func launch() {
                let number = nextToLaunch
                let url = template.url(page: number)
                group.addTask { (number, try await executor.fetch(url, plan: plan, acceptNotFound: true)) }
                nextToLaunch += 1
            }
            while nextToLaunch <= lastPage && nextToLaunch - nextToEmit < window { launch() }
            while let (number, page) = try await group.next() {
                ready[number] = page
                while let entry = ready.removeValue(forKey: nextToEmit) {
                    guard let page = entry else {
                        summary.requests += 1
                        summary.notices.append("page \(nextToEmit) answered 404; taken as the end of the data")
                        group.cancelAll()
                        return
                    }
                    noteTotalChange(page.document, expected: total)
                    try consume(page, emit)
                    nextToEmit += 1
                    if capReached || page.document.rows.isEmpty || nextToEmit > lastPage {
                        group.cancelAll()
                        if nextToEmit > lastPage, moreThanAllowed, !capReached {
                            summary.truncation = "stopped after \(summary.pages) pages (--max-pages); more pages remain"
                        }
                        return
                    }
                    if nextToLaunch <= lastPage { launch() }
                }
            }
        }
    }
}

/// The URL of page N, made from a server's `links.next` by replacing its page number, so the
/// pages after it can be requested before their links are seen. Only when the link holds the
/// page number as a plain parameter (`page=2` or `page[number]=2`, brackets raw or encoded).
struct PageTemplate: Sendable {
    let prefix: String
    let suffix: String

    init?(next: RequestURL, expectedPage: Int, plan: RequestPlan) {
        guard let (items, found, number) = Self.pageParameter(in: next, plan: plan), number == expectedPage else { return nil }
        let key = items[found].split(separator: "=", maxSplits: 1)[0]
        var before = Array(items[..<found]).joined(separator: "&")
        if !before.isEmpty { before += "&" }
        var after = Array(items[(found + 1)...]).joined(separator: "&")
        if !after.isEmpty { after = "&" + after }
        prefix = "\(next.scheme)://\(next.host):\(next.port)\(next.path)?\(before)\(key)="
        suffix = after
    }

    func url(page: Int) -> RequestURL {
        RequestURL(prefix + String(page) + suffix)!
    }

    /// The page number a link names (`…&page=12`), e.g. the server's `last` link.
    static func pageNumber(in url: RequestURL, plan: RequestPlan) -> Int? {
        pageParameter(in: url, plan: plan)?.number
    }

    /// The query's items, and which one is the page number, with its value; nil when there is
    /// none, it is not a whole number, or it appears twice.
    private static func pageParameter(in url: RequestURL, plan: RequestPlan) -> (items: [Substring], index: Int, number: Int)? {
        guard let query = url.query else { return nil }
        let wanted = plan.dialect.pageNumberParameter(1).formattedName(.readable)
        let items = query.split(separator: "&", omittingEmptySubsequences: false)
        var found: (index: Int, number: Int)?
        for (index, item) in items.enumerated() {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, PercentEncoding.decode(parts[0]) == wanted else { continue }
            guard found == nil, let number = Int(parts[1]), number >= 1 else { return nil }
            found = (index, number)
        }
        return found.map { (items, $0.index, $0.number) }
    }
}
