import ArgumentParser
import CBQCore
import CBQSandbox
import CBQShell

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run the built-in Casebook-like API, with realistic generated data, until Ctrl-C.",
        discussion: """
            Serves people/people, intake/reports, cases/cases, providers/providers,
            services/service_offerings and attachments/notes with the guide's filters, sort and
            paging. Any non-empty bearer token is accepted. Fault switches help test clients.

              cbq sandbox --port 8080
              cbq translate --base-url http://127.0.0.1:8080 "SELECT * FROM people.people LIMIT 5"
            """
    )

    @Option(help: "Address to listen on. Loopback by default; any other address exposes the sandbox to the network.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 8080

    @Option(help: "Seed for the generated data: the same seed, the same records.")
    var seed: UInt64 = 1

    @Option(name: .customLong("rows"), help: ArgumentHelp("Generate this many rows for an endpoint (repeatable), e.g. people.people=120000.",
                                                       valueName: "endpoint=n"))
    var rows: [String] = []

    @Option(help: "Spellings it accepts: guide (g, l, page), jsonapi (gt, lt, page[number]) or drf (filter[f.gte], isnull, in, page[number], meta.pagination.count, 404 past the end).")
    var dialect: DialectName = .guide

    @Option(name: .customLong("default-page-size"), help: "Rows per page without page[size].")
    var defaultPageSize = 10

    @Option(name: .customLong("max-page-size"), help: "The largest page[size]; larger is a 400 unless --clamp-page-size.")
    var maxPageSize = 100

    @Flag(name: .customLong("clamp-page-size"), help: "Clamp a too-large page[size] silently instead of answering 400.")
    var clampPageSize = false

    @Flag(name: .customLong("no-links"), help: "Leave links out of responses: clients must page by number.")
    var noLinks = false

    @Flag(name: .customLong("no-include"), help: "Answer include=… with 400, as a server without compound documents does.")
    var noInclude = false

    @Flag(name: .customLong("id-lists"), help: "Read filter[id]=a,b,c as any of those ids.")
    var idLists = false

    @Flag(name: .customLong("client-ids"), help: "Accept a client-generated id in a POST (else 403).")
    var clientIDs = false

    @Option(name: .customLong("drop-write-every"),
            help: ArgumentHelp("Act on every k-th write, then close the connection without answering.", valueName: "k"))
    var dropWriteEvery: Int?

    @Option(name: .customLong("ignore-filter"), help: ArgumentHelp("Drop filters on this field unread, answering every row (repeatable).", valueName: "field"))
    var ignoredFilters: [String] = []

    @Option(name: .customLong("reject-filter"), help: ArgumentHelp("Answer filters on this field with 400 naming the parameter (repeatable).", valueName: "field"))
    var rejectedFilters: [String] = []

    @Flag(name: .customLong("ignore-page"), help: "Drop the page number unread: every page is the first.")
    var ignorePage = false

    @Flag(name: .customLong("ignore-sort"), help: "Drop sort unread: rows come in id order whatever was asked.")
    var ignoreSort = false

    @Flag(name: .customLong("nulls-low"), help: "Sort NULL first ascending and last descending, as MySQL and SQLite do.")
    var nullsLow = false

    @Flag(name: .customLong("trailing-slash-redirect"), help: "Answer a path without a trailing slash with 301 to the path with one, as Django does.")
    var trailingSlashRedirect = false

    @Flag(name: .customLong("require-oauth"),
          help: "Accept only access tokens from POST /oauth2/token (client cbq-sandbox, secret sandbox-secret), not any bearer token.")
    var requireOAuth = false

    @Option(name: .customLong("token-lifetime"), help: ArgumentHelp("Seconds an access token from /oauth2/token lasts.", valueName: "s"))
    var tokenLifetime = 3600

    @Option(name: .customLong("latency-ms"), help: "Delay every response by this many milliseconds.")
    var latencyMilliseconds = 0

    @Option(name: .customLong("rate-limit-every"), help: ArgumentHelp("Answer every k-th request with 429 and Retry-After.", valueName: "k"))
    var rateLimitEvery: Int?

    @Option(name: .customLong("retry-after"), help: "The Retry-After seconds of a 429.")
    var retryAfter = 1

    @Option(name: .customLong("fail-every"), help: ArgumentHelp("Answer every k-th request with --fail-status.", valueName: "k"))
    var failEvery: Int?

    @Option(name: .customLong("fail-status"), help: "500 or 503.")
    var failStatus = 503

    @Option(help: ArgumentHelp("The day the data is current to (ISO 8601; default: today).", valueName: "timestamp"))
    var now: String?

    func validate() throws {
        if !(0...65_535).contains(port) { throw ValidationError("--port must be from 0 to 65535") }
        if defaultPageSize < 1 || maxPageSize < 1 { throw ValidationError("page sizes must be 1 or more") }
        if latencyMilliseconds < 0 { throw ValidationError("--latency-ms cannot be negative") }
        if let rateLimitEvery, rateLimitEvery < 1 { throw ValidationError("--rate-limit-every must be 1 or more") }
        if let failEvery, failEvery < 1 { throw ValidationError("--fail-every must be 1 or more") }
        if ![500, 503].contains(failStatus) { throw ValidationError("--fail-status must be 500 or 503") }
        if retryAfter < 0 { throw ValidationError("--retry-after cannot be negative") }
        _ = try rowCounts()
        if let now, Instant(now) == nil { throw ValidationError("--now takes an ISO 8601 date or timestamp, e.g. 2026-06-30T00:00:00Z") }
    }

    var options: SandboxOptions {
        var options = SandboxOptions()
        options.seed = seed
        options.rowCounts = (try? rowCounts()) ?? [:]
        options.today = now.flatMap(Instant.init) ?? TargetOptions.systemClock()
        options.dialect = dialect.dialect
        options.defaultPageSize = defaultPageSize
        options.maxPageSize = maxPageSize
        options.clampPageSize = clampPageSize
        options.omitLinks = noLinks
        options.supportsInclude = !noInclude
        options.acceptsIDLists = idLists
        options.acceptsClientIDs = clientIDs
        options.ignoredFilters = Set(ignoredFilters)
        options.rejectedFilters = Set(rejectedFilters)
        options.ignoresPageNumber = ignorePage
        options.ignoresSort = ignoreSort
        options.nullsSortLow = nullsLow
        options.requireOAuth = requireOAuth
        options.redirectsToTrailingSlash = trailingSlashRedirect
        options.tokenLifetime = tokenLifetime
        options.dropWriteEvery = dropWriteEvery
        options.latency = .milliseconds(latencyMilliseconds)
        options.rateLimitEvery = rateLimitEvery
        options.retryAfterSeconds = retryAfter
        options.failEvery = failEvery
        options.failureStatus = failStatus
        return options
    }

    /// `people.people=120000` → `["people/people": 120000]`.
    func rowCounts() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for entry in rows {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let endpoint = KnownEndpoint.all.first(where: { $0.qualifiedName == parts[0] }),
                  let count = Int(parts[1]), (1...2_000_000).contains(count) else {
                throw ValidationError("--rows takes endpoint=n, an endpoint of " + KnownEndpoint.all.map(\.qualifiedName).joined(separator: ", ")
                                      + " and n from 1 to 2000000; got '\(entry)'")
            }
            counts[endpoint.path] = count
        }
        return counts
    }

    func run() async throws {
        let server: SandboxServer
        do {
            server = try await SandboxServer.start(options: options, host: host, port: port, stopOnSignals: true)
        } catch {
            Terminal.console.error("\(error)", hint: port == 0 ? nil : "is another server on port \(port)? try --port 0")
            throw ExitCode(SysExit.unavailable)
        }
        let loopback = host == "127.0.0.1" || host == "::1" || host == "localhost"
        Terminal.console.say(server.baseURL)  // unbuffered: scripts wait for this line
        Terminal.console.note(loopback
            ? "cbq sandbox: listening on \(server.baseURL) (loopback only); Ctrl-C stops it"
            : "cbq sandbox: warning: listening on \(server.baseURL), reachable from the network; Ctrl-C stops it")
        try await server.wait()
    }
}
