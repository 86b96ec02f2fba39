import CBQCore
import CBQRuntime

/// What a backslash command takes. `\help`, completion and validation all read it, so the
/// three cannot disagree.
public enum ArgumentSpec: Sendable, Equatable {
    case none
    /// One of `values`; `placeholder` names them in `\help` instead of listing them.
    case choice([String], optional: Bool, placeholder: String? = nil)
    /// A file name (completion lists files).
    case file(optional: Bool)
    /// `service.endpoint`.
    case endpoint(optional: Bool)
    /// A backslash command's name.
    case command(optional: Bool)
    /// A statement, e.g. for `\url`.
    case query
    /// Free text, named in `\help` as `usage` (a URL, `name [value]`).
    case text(usage: String, optional: Bool)
    /// A profile of config.toml (completed from ``Catalog/profiles``).
    case profile

    /// As `\help` shows it: `[on|off|auto]`, `FILE`, `[service.endpoint]`.
    public var usage: String {
        switch self {
        case .none: return ""
        case .choice(let values, let optional, let placeholder): return bracketed(placeholder ?? values.joined(separator: "|"), optional)
        case .file(let optional): return bracketed("FILE", optional)
        case .endpoint(let optional): return bracketed("service.endpoint", optional)
        case .command(let optional): return bracketed("command", optional)
        case .query: return "QUERY"
        case .text(let usage, _): return usage
        case .profile: return "[profile]"
        }
    }

    private var isOptional: Bool {
        switch self {
        case .none, .profile: return true
        case .query: return false
        case .choice(_, let optional, _), .file(let optional), .endpoint(let optional), .command(let optional), .text(_, let optional):
            return optional
        }
    }

    private func bracketed(_ text: String, _ optional: Bool) -> String { optional ? "[\(text)]" : text }

    /// Why `argument` does not fit, as an error and a hint; nil when it does.
    func problem(with argument: String, command: String) -> ShellFailure? {
        if argument.isEmpty {
            guard !isOptional else { return nil }
            let what: String
            switch self {
            case .file: what = "a file"
            case .endpoint: what = "an endpoint"
            case .choice(let values, _, _): what = orList(values)
            case .query: what = "a query"
            default: what = "a " + usage
            }
            return ShellFailure(SysExit.usage, "\\\(command) needs \(what)")
        }
        guard case .choice(let values, _, let placeholder) = self, !values.contains(argument.lowercased()) else { return nil }
        if let placeholder {
            return ShellFailure(SysExit.usage, "unknown \(placeholder.lowercased()) '\(argument)'", hint: "one of: \(values.joined(separator: ", "))")
        }
        return ShellFailure(SysExit.usage, "\\\(command) takes \(orList(values)), not '\(argument)'")
    }

    /// Tab candidates for the argument.
    func candidates(_ catalog: Catalog) -> Completer.Candidates {
        switch self {
        case .none, .query, .text: return .words([])
        case .choice(let values, _, _): return .words(values)
        case .file: return .files
        case .endpoint: return .words(catalog.endpoints)
        case .profile: return .words(catalog.profiles)
        case .command: return .words(MetaCommand.all.map(\.name))
        }
    }
}

/// `a`, `a or b`, `a, b or c`.
func orList(_ items: [String]) -> String {
    items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " or " + items.last!
}

/// A backslash command: a row of the one table that `\help`, completion, validation and
/// "did you mean …?" read (DuckDB's `metadata_commands[]`).
public struct MetaCommand: Sendable {
    public let name: String
    public let argument: ArgumentSpec
    public let summary: String
    let run: @Sendable (Session, String) async -> Void

    public var usage: String { "\\" + name + (argument.usage.isEmpty ? "" : " " + argument.usage) }

    public static func named(_ name: String) -> MetaCommand? { all.first { $0.name == name } }

    public static let all: [MetaCommand] = [
        MetaCommand(name: "help", argument: .command(optional: true), summary: "list commands, or explain one") { $0.help($1) },
        MetaCommand(name: "q", argument: .none, summary: "quit (Ctrl-D on an empty line too)") { session, _ in session.quit() },
        MetaCommand(name: "x", argument: .choice(Session.Expanded.allCases.map(\.rawValue), optional: true), summary: "records instead of a table (auto: when too wide)") {
            $0.setExpanded($1)
        },
        MetaCommand(name: "format", argument: .choice(OutputFormat.allCases.map(\.rawValue), optional: false, placeholder: "FORMAT"),
                    summary: "table, vertical, json, ndjson, csv or markdown") { $0.setFormat($1) },
        MetaCommand(name: "pager", argument: .choice(PagerMode.allCases.map(\.rawValue), optional: true),
                    summary: "results longer than the screen through $PAGER (auto), always or never") { $0.setPager($1) },
        MetaCommand(name: "pset", argument: .text(usage: "null [TEXT]", optional: false), summary: "how NULL shows in tables and records (blank, or dim NULL on a colour terminal)") {
            $0.pset($1)
        },
        MetaCommand(name: "timing", argument: .choice(["on", "off"], optional: true), summary: "show how long each statement took") { $0.setTiming($1) },
        MetaCommand(name: "dryrun", argument: .choice(["on", "off"], optional: true),
                    summary: "print INSERT, UPDATE and DELETE requests instead of sending them") { $0.setDryRun($1) },
        MetaCommand(name: "serversort", argument: .choice(Dialect.SortMode.allCases.map(\.rawValue), optional: true),
                    summary: "ORDER BY as sort= and checked, as sort= unchecked (trusted), or sorted here (off)") { $0.setServerSort($1) },
        MetaCommand(name: "set", argument: .text(usage: "[name [value]]", optional: true), summary: "list parameters, or set :name") { $0.set($1) },
        MetaCommand(name: "unset", argument: .text(usage: "name", optional: false), summary: "forget :name") { $0.unset($1) },
        MetaCommand(name: "i", argument: .file(optional: false), summary: "run the statements of a file") { await $0.include($1) },
        MetaCommand(name: "o", argument: .file(optional: true), summary: "results to a file (owner-only), or back to the screen") { $0.redirect($1) },
        MetaCommand(name: "url", argument: .query, summary: "print the request URL(s), sending nothing") {
            $0.translate($1, curl: false)
        },
        MetaCommand(name: "curl", argument: .query, summary: "print a curl command for the query") {
            $0.translate($1, curl: true)
        },
        MetaCommand(name: "explain", argument: .query, summary: "show how the query will run") { $0.explain($1) },
        MetaCommand(name: "region", argument: .choice(Region.allCases.map(\.rawValue), optional: false), summary: "query the US or Canadian API") {
            $0.setRegion($1)
        },
        MetaCommand(name: "base", argument: .text(usage: "URL", optional: false), summary: "query another base URL") { $0.setBase($1) },
        MetaCommand(name: "connect", argument: .profile, summary: "switch to a profile of config.toml, or list them") { $0.connect($1) },
        MetaCommand(name: "conninfo", argument: .none, summary: "the target, its dialect and where the token comes from") { session, _ in
            session.showConnection()
        },
        MetaCommand(name: "echo", argument: .text(usage: "[text]", optional: true), summary: "print the text") { $0.say($1) },
        MetaCommand(name: "g", argument: .file(optional: true), summary: "run the statement typed (or the last one), its results into FILE if given") {
            await $0.go(nil, file: $1)
        },
        MetaCommand(name: "watch", argument: .text(usage: "[seconds]", optional: true), summary: "run the statement typed (or the last one) every 2 s, or as said, until Ctrl-C") {
            await $0.watch(nil, argument: $1)
        },
        MetaCommand(name: "e", argument: .none, summary: "edit the statement typed (or the last one) in $EDITOR, then run it") { session, _ in
            await session.editAndRun(nil)
        },
        MetaCommand(name: "d", argument: .endpoint(optional: true), summary: "list endpoints, or the columns and types of one") { $0.describe($1) },
        MetaCommand(name: "d+", argument: .endpoint(optional: true), summary: "as \\d, with where each fact came from and when") {
            $0.describe($1, verbose: true)
        },
        MetaCommand(name: "refresh", argument: .endpoint(optional: true), summary: "learn an endpoint's columns anew (one request), or every known one's") {
            await $0.refresh($1)
        },
        MetaCommand(name: "history", argument: .none, summary: "list earlier statements") { session, _ in session.showHistory() },
    ]

    /// The `\help` text, from the table.
    public static var help: String {
        let width = all.map(\.usage.count).max() ?? 0
        var lines = ["Statements end with ';' and may span lines:",
                     "  SELECT first_name, last_name FROM people.people WHERE last_name LIKE 'Doe' LIMIT 5;",
                     "", "Commands:"]
        for command in all {
            lines.append("  " + command.usage + String(repeating: " ", count: max(1, width + 2 - command.usage.count)) + command.summary)
        }
        lines.append("")
        lines.append("Keys: Tab completes keywords, endpoints and columns; Up/Down recall history; Ctrl-C clears the line")
        lines.append("or cancels a running query; Ctrl-D on an empty line quits.")
        return lines.joined(separator: "\n")
    }
}
