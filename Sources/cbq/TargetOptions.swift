import Glibc
import ArgumentParser
import CBQCore
import CBQShell

/// Where the API is and how it spells things: the options every query command shares.
struct TargetOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Use this profile of config.toml (else $CBQ_PROFILE, else 'default'); options given here win over it.",
                               valueName: "name"))
    var profile: String?

    @Option(help: "Casebook region: us (api.casebook.net) or ca (api.casebookca.net).")
    var region: Region?

    @Option(name: .customLong("base-url"), help: ArgumentHelp("Send requests to this base URL instead of a region's.", valueName: "url"))
    var baseURL: String?

    @Option(help: "Spellings of filters, pages and totals: guide (g, l, page), jsonapi (gt, lt, page[number]) or drf (Django REST framework JSON:API: filter[f.gte], isnull, in, page[number]); a profile's dialect table is profiles.NAME.dialect.")
    var dialect: DialectName = .guide

    @Option(help: ArgumentHelp("Override the comparison spellings: g-l, gt-lt or gt-gte (no not-equal).", valueName: "spelling"))
    var comparisons: Dialect.ComparisonSpelling?

    @Option(name: .customLong("page-param"), help: ArgumentHelp("Override the page-number parameter: page or page[number].", valueName: "name"))
    var pageParam: Dialect.PageNumberSpelling?

    @Option(name: .customLong("page-size"), help: "page[size] when no LIMIT makes it smaller.")
    var pageSize: Int = 100

    @Option(name: .customLong("max-page-size"), help: "The largest page[size] the API accepts (default: the dialect's, else 100).")
    var maxPageSize: Int?

    @Flag(name: .customLong("include"), inversion: .prefixedNo,
          help: "The server supports JSON:API's include: a join on a relationship reads the related rows from the same responses.")
    var include: Bool?

    @Flag(name: .customLong("id-lists"), inversion: .prefixedNo,
          help: "The server reads filter[id]=a,b,c as any of those ids: a join looks up to 50 ids a request.")
    var idLists: Bool?

    @Option(name: .customLong("server-sort"),
            help: ArgumentHelp("ORDER BY as sort=a,-b with every row's place checked (checked, the default), taken unchecked (trusted), or run here after every page is read (off).",
                               valueName: "checked|trusted|off"))
    var serverSort: Dialect.SortMode?

    @Flag(name: .customLong("trailing-slash"), inversion: .prefixedNo,
          help: "The server's paths end with '/' (/people/people/), as Django's do.")
    var trailingSlash: Bool?

    @Flag(name: .customLong("fields"), inversion: .prefixedNo, help: "Send sparse fieldsets (fields[type]=a,b) for the selected columns.")
    var sparseFieldsets = false

    @Option(name: .customLong("total-path"),
            help: ArgumentHelp("Where a response keeps its total count, under meta (for COUNT(*) and paging; default: the dialect's, meta.total or meta.pagination.count).",
                               valueName: "path"))
    var totalPath: String?

    @Option(name: .customLong("var"), help: ArgumentHelp("Bind a :name parameter (repeatable).", valueName: "name=value"))
    var variables: [String] = []

    @Option(name: .customLong("resource-type"),
            help: ArgumentHelp("The JSON:API type INSERT and UPDATE send for an endpoint, where it is not the endpoint's name (repeatable).",
                               valueName: "service.endpoint=type"))
    var resourceTypes: [String] = []

    @Option(help: ArgumentHelp("The time now(), current_timestamp and current_date read (ISO 8601; default: the system clock).",
                               valueName: "timestamp"))
    var now: String?

    func validate() throws {
        if region != nil && baseURL != nil { throw ValidationError("give --region or --base-url, not both") }
        if let baseURL {
            do { _ = try Target.normalize(baseURL: baseURL) } catch { throw ValidationError(error.message) }
        }
        if pageSize < 1 { throw ValidationError("--page-size must be 1 or more") }
        if let maxPageSize, maxPageSize < 1 { throw ValidationError("--max-page-size must be 1 or more") }
        if let totalPath {
            let path = totalPath.split(separator: ".", omittingEmptySubsequences: false)
            if path.count < 2 || path.first != "meta" || path.contains(where: \.isEmpty) {
                throw ValidationError("--total-path names a member of meta, e.g. meta.total or meta.page.total; got '\(totalPath)'")
            }
        }
        _ = try parameters()
        _ = try types()
    }

    /// `--resource-type people.people=person` pairs.
    func types() throws -> [String: String] {
        var types: [String: String] = [:]
        for binding in resourceTypes {
            let parts = binding.split(separator: "=", maxSplits: 1).map(String.init)
            let endpoint = parts.first?.split(separator: ".", omittingEmptySubsequences: false) ?? []
            guard parts.count == 2, !parts[1].isEmpty, endpoint.count == 2, !endpoint.contains(where: \.isEmpty) else {
                throw ValidationError("--resource-type takes service.endpoint=type, e.g. people.people=person; got '\(binding)'")
            }
            types[parts[0]] = parts[1]
        }
        return types
    }

    /// The dialect with its overrides.
    var chosenDialect: Dialect {
        var dialect = self.dialect.dialect
        if let comparisons { dialect.operators = comparisons.operators }
        if let pageParam { dialect.pageNumberKey = pageParam.rawValue }
        if let include { dialect.include = include }
        if let idLists { dialect.idLists = idLists }
        if let serverSort { dialect.sort = serverSort }
        if let trailingSlash { dialect.trailingSlash = trailingSlash }
        return dialect
    }

    /// `--max-page-size`, else the dialect's, else 100.
    var chosenMaxPageSize: Int { maxPageSize ?? chosenDialect.maxPageSize ?? 100 }

    /// The region's or base URL's target (validated already).
    func target(tokenFile: String?) throws -> Target {
        try reporting { try makeTarget(tokenFile: tokenFile) }
    }

    func makeTarget(tokenFile: String?) throws(ShellFailure) -> Target {
        if let baseURL { return try Target.base(url: baseURL, dialect: chosenDialect, tokenFile: tokenFile) }
        return .region(region ?? .us, dialect: chosenDialect, tokenFile: tokenFile)
    }

    /// The planner's options for the region's or base URL's target (`translate`, `explain`).
    func plannerOptions() throws -> PlannerOptions { try plannerOptions(for: target(tokenFile: nil)) }

    /// The planner's options for `target`: its base URL and dialect, and these options' paging,
    /// fields, total path and parameters.
    func plannerOptions(for target: Target) throws -> PlannerOptions {
        var options = target.plannerOptions(PlannerOptions())
        options.defaultPageSize = pageSize
        options.maxPageSize = chosenMaxPageSize
        options.sparseFieldsets = sparseFieldsets
        options.totalPath = totalPath.map { $0.split(separator: ".").map(String.init) }
        options.parameters = try parameters()
        options.resourceTypes = try types()
        options.now = try clock()
        return options
    }

    /// `--now`, or the system clock (whole seconds, UTC).
    func clock() throws -> Instant {
        if let now {
            guard let instant = Instant(now) else {
                throw ValidationError("--now takes an ISO 8601 date or timestamp, e.g. 2026-12-01T09:00:00Z; got '\(now)'")
            }
            return instant.asTimestamp
        }
        return Self.systemClock()
    }

    var pinsTheClock: Bool { now != nil }

    /// The system clock, in whole seconds, UTC.
    static func systemClock() -> Instant { Instant(seconds: time(nil)) }

    /// `--var name=value` pairs, read as cbq literals (see ``Literal/init(parameterValue:)``).
    func parameters() throws -> [String: Literal] {
        var parameters: [String: Literal] = [:]
        for binding in variables {
            guard let equals = binding.firstIndex(of: "=") else {
                throw ValidationError("--var takes name=value, got '\(binding)'")
            }
            let name = String(binding[..<equals])
            guard name.isPlainIdentifier else {
                throw ValidationError("'\(name)' is not a parameter name (letters, digits and _, not starting with a digit)")
            }
            parameters[name] = Literal(parameterValue: String(binding[binding.index(after: equals)...]))
        }
        return parameters
    }
}

/// `--dialect NAME`: one of the core's named dialects (``Dialect/named``).
struct DialectName: ExpressibleByArgument {
    let name: String
    let dialect: Dialect

    /// A preset, or a table a profile defines (`profiles.NAME.dialect`).
    init?(argument: String) {
        if let named = Dialect.named.first(where: { $0.name == argument }) {
            (name, dialect) = (named.name, named.dialect)
        } else if let defined = DefinedDialects.named(argument) {
            (name, dialect) = (argument, defined)
        } else {
            return nil
        }
    }

    static let guide = DialectName(argument: "guide")!
    static var allValueStrings: [String] { Dialect.named.map(\.name) }
    var defaultValueDescription: String { name }
}

extension Region: ExpressibleByArgument {}
extension Dialect.ComparisonSpelling: ExpressibleByArgument {}
extension Dialect.PageNumberSpelling: ExpressibleByArgument {}

extension Dialect.SortMode: ExpressibleByArgument {}
