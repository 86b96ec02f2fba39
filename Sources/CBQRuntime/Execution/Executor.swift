import CBQCore

/// Settings of a run that are not part of the plan.
public struct ExecutionOptions: Sendable {
    /// The bearer token's source; it is sent to the plan's origin only.
    public var credentials: any CredentialsProvider = FixedToken(nil)
    /// A guard against endless paging; reaching it stops the fetch and says so.
    public var maxPages = 10_000
    /// Pages fetched at once when the page count is known (from `meta`): 1 turns it off.
    public var concurrency = 8
    public var retry = RetryPolicy()
    /// How many groups or rows a blocking local operator (GROUP BY, ORDER BY) may hold.
    public var maxLocalRows = 1_000_000
    /// Judge every row by every pushed filter, a missing or null value failing it (a correct
    /// server returns no such row for any filter but IS NULL), even where text may stand for a
    /// number or a time: the read that finds a write's rows, where a doubt must stop the write.
    public var strictFilterChecks = false

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
    /// Waiting between attempts (backoff and Retry-After), summed over requests.
    public var waited: Duration = .zero
    /// Time from each request's sending to its page decoded and filtered, summed (pages
    /// fetched at once overlap, so this can exceed the wall time).
    public var requestTime: Duration = .zero
    /// COUNT(*)'s answer.
    public var count: Int?
    /// Things worth a line on stderr (a page size halved, a collection that changed meanwhile).
    public var notices: [String] = []
    /// Set when a guard stopped the fetch before the data ended: the result is incomplete.
    public var truncation: String?
    /// What to do about ``truncation``; nil: raise --max-pages or narrow the query.
    public var truncationHint: String?
    /// Set when the total changed between pages: rows may be missing or repeated (also a notice).
    public var collectionChange: String?
    /// Answers of 429 or 503: the server asked to slow down.
    public var throttled = 0
    /// How long every request was held because the server asked (`Retry-After`,
    /// `RateLimit-Reset`): wall time, not summed over requests; the statement's so far.
    public var paused: Duration = .zero
    /// Where the number of pages came from (`meta.total`, `meta.pagination.count`,
    /// `links.last`), when the first page told it.
    public var pageCountSource: String?
    /// The collection's total as the first page gave it, where the dialect (or `--total-path`)
    /// keeps it: the rows matching the request's filters.
    public var total: Int?

    public init() {}
}

extension ExecutionSummary {
    /// Two fetches' costs together (a join's sides).
    public func adding(_ other: ExecutionSummary) -> ExecutionSummary {
        var sum = self
        sum.requests += other.requests
        sum.pages += other.pages
        sum.retries += other.retries
        sum.bytes += other.bytes
        sum.rowsReceived += other.rowsReceived
        sum.rowsEmitted += other.rowsEmitted
        sum.duplicates += other.duplicates
        sum.waited += other.waited
        sum.throttled += other.throttled
        // A summary's pauses are its statement's throttle's running total, the same one for
        // every part of the statement: the later total holds the earlier.
        sum.paused = max(paused, other.paused)
        sum.pageCountSource = sum.pageCountSource ?? other.pageCountSource
        sum.requestTime += other.requestTime
        sum.notices += other.notices
        if sum.truncation == nil {
            sum.truncation = other.truncation
            sum.truncationHint = other.truncationHint
        }
        sum.collectionChange = sum.collectionChange ?? other.collectionChange
        sum.count = other.count ?? count
        sum.total = other.total ?? total
        return sum
    }
}

/// Runs a read plan against the API and hands its rows to `emit` in order, page by page.
///
///     let executor = Executor(transport: AsyncHTTPTransport(), options: options)
///     let summary = try await executor.run(plan) { rows in writer.write(rows) }
///
/// It wires the stages for one plan: a ``RequestSender`` for the plan's origin, the page stages
/// of a ``PageFetcher`` (decode, then the local predicates), and the ``Pager`` that sequences
/// pages and applies the guards.
public struct Executor: Sendable {
    public let transport: any HTTPTransport
    public let options: ExecutionOptions
    /// One throttle per origin for everything this executor sends (a statement: its pages, a
    /// join's sides and lookups, a write's requests), so that a 429 slows them all and
    /// `--concurrency` bounds them together.
    private let throttles = Throttles()

    public init(transport: any HTTPTransport, options: ExecutionOptions = ExecutionOptions()) {
        self.transport = transport
        self.options = options
    }

    public typealias Emit = ([RawRow]) throws -> Void
    public typealias Progress = @Sendable (ExecutionSummary) -> Void

    /// The sender for requests to `baseURL`'s origin.
    public func sender(for baseURL: String) -> RequestSender {
        let origin = RequestURL(baseURL)?.origin ?? baseURL
        let options = self.options
        let throttle = throttles.throttle(for: origin) {
            Throttle(maximum: options.concurrency, longestPause: options.retry.maxRetryAfter, wallClock: options.retry.now)
        }
        return RequestSender(transport: transport, origin: origin, credentials: options.credentials, retry: options.retry, throttle: throttle)
    }

    /// - Parameter satisfied: asked between pages; true stops the fetch (a local LIMIT is met).
    /// - Parameter included: given each page's `included` resources (a compound document's).
    public func run(_ plan: RequestPlan, progress: @escaping Progress = { _ in }, satisfied: @escaping () -> Bool = { false },
                    included: (([RawRow]) throws -> Void)? = nil, emit: Emit) async throws -> ExecutionSummary {
        let fetcher = PageFetcher(sender: sender(for: plan.baseURL), filter: try LocalFilter(plan.localFilter))
        let pager = Pager(plan: plan, fetcher: fetcher, maxPages: options.maxPages, concurrency: options.concurrency, progress: progress)
        pager.strictFilterChecks = options.strictFilterChecks
        pager.satisfied = satisfied
        pager.included = included
        var summary = try await pager.run(emit)
        summary.paused = fetcher.sender.throttle?.paused ?? .zero
        return summary
    }
}
