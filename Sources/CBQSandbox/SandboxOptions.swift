#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CBQCore

/// How the sandbox behaves: its data, its spellings, and the faults it injects for testing
/// clients. Every switch is a flag of `cbq sandbox` and settable when embedded.
public struct SandboxOptions: Sendable {
    /// The data's seed: the same seed, the same records.
    public var seed: UInt64 = 1
    /// Rows per endpoint path (`people/people`) where not the usual (``SandboxData/counts``):
    /// a people table of 120,000 for a benchmark of lookups by id.
    public var rowCounts: [String: Int] = [:]
    /// Which spellings it accepts: the guide's (`g`, `l`, `page`) or JSON:API's (`gt`, `lt`, `page[number]`).
    public var dialect: Dialect = .guide
    /// Rows per page without `page[size]`: 10, as the guide says.
    public var defaultPageSize = 10
    /// The largest `page[size]`; a larger one is a 400, or clamped with ``clampPageSize``.
    public var maxPageSize = 100
    /// Clamp a too-large `page[size]` silently instead of failing (some servers do).
    public var clampPageSize = false
    /// Leave `links` out of collection responses: clients must page by number.
    public var omitLinks = false
    /// Answer `include=…` with compound documents; false answers it 400, as a server without
    /// JSON:API's `include` does (`--no-include`).
    public var supportsInclude = true
    /// Read `filter[id]=a,b,c` as any of those ids (`--id-lists`); without it a comma is part
    /// of the one id, as the guide has it.
    public var acceptsIDLists = false
    /// Accept a client-generated `data.id` in a POST (`--client-ids`), as JSON:API allows; without
    /// it such a POST is a 403, as the spec says for a server that assigns ids.
    public var acceptsClientIDs = false
    /// Act on every k-th write (POST, PATCH, DELETE), then close the connection without an
    /// answer (`--drop-write-every k`): the client cannot know the write happened, which is
    /// when a POST must not be sent again.
    public var dropWriteEvery: Int?
    /// Filters on these fields are dropped unread, as a server that does not know them may do
    /// (`--ignore-filter state`): it answers every row.
    public var ignoredFilters: Set<String> = []
    /// Filters on these fields are answered 400 naming the parameter, as a server that does
    /// not filter by them says (`--reject-filter state`).
    public var rejectedFilters: Set<String> = []
    /// The page number is dropped unread (`--ignore-page`): every page is the first.
    public var ignoresPageNumber = false
    /// `sort` is dropped unread (`--ignore-sort`): rows come in id order, whatever was asked.
    public var ignoresSort = false
    /// Sort NULL as the smallest value, first ascending and last descending, as MySQL and
    /// SQLite do (`--nulls-low`); otherwise as the largest, as PostgreSQL does.
    public var nullsSortLow = false
    /// OAuth clients the token endpoint (`POST /oauth2/token`, client credentials) knows: id → secret.
    public var oauthClients: [String: String] = ["cbq-sandbox": "sandbox-secret"]
    /// Seconds an access token from the token endpoint lasts (`--token-lifetime`).
    public var tokenLifetime = 3600
    /// Accept only access tokens the token endpoint issued and that have not expired
    /// (`--require-oauth`); otherwise any bearer token is accepted.
    public var requireOAuth = false
    /// Seconds since 1970, for token expiry; the system clock unless a test fixes it.
    public var clock: @Sendable () -> Int = { Int(time(nil)) }
    /// Answer a path without a trailing slash with 301 and the path with one
    /// (`--trailing-slash-redirect`), as Django's APPEND_SLASH does.
    public var redirectsToTrailingSlash = false
    /// Added to every request before it is answered.
    public var latency: Duration = .zero
    /// Answer every k-th request with 429 and `Retry-After`.
    public var rateLimitEvery: Int?
    /// The `Retry-After` seconds a 429 carries.
    public var retryAfterSeconds = 1
    /// Answer every k-th request with ``failureStatus``.
    public var failEvery: Int?
    /// 500 or 503.
    public var failureStatus = 503
    /// The day the data is current to: every generated date and timestamp is moved by whole
    /// days so that the newest falls just before it, and "the last 30 days" finds rows whatever
    /// the date. nil keeps the data as generated (current to ``SandboxData/generatedThrough``),
    /// which is what tests compare against; `cbq --sandbox` passes today (or `--now`).
    public var today: Instant?
    /// Timestamps for writes; the wall clock unless a test fixes it.
    public var now: @Sendable () -> String = { CivilDate.timestamp(seconds: Int(time(nil))) }

    public init() {}
}
