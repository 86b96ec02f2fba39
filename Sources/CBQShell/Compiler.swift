import CBQCore
import CBQRuntime

/// The one compile-and-report path: parses a source, plans each statement, and reports a
/// failure with its position on the console. Scripts, the shell, `\url`, `\explain`,
/// `cbq translate` and `cbq explain` all compile through it.
public struct Compiler {
    public let planner: Planner
    public let console: Console

    public init(planner: Planner, console: Console) {
        self.planner = planner
        self.console = console
    }

    /// Plans one parsed statement; nil when it failed (the error has been reported).
    public func compile(_ statement: Parser.ParsedStatement, in source: SourceText) -> StatementPlan? {
        do {
            return try planner.plan(try statement.result.get(), source: source)
        } catch {
            console.error(error, in: source)
            return nil
        }
    }

    /// Plans every statement of `source`, stopping at the first error; nil if there was one
    /// (reported), or if there was no statement at all (reported with `emptyHint`).
    public func compileAll(_ source: SourceText, emptyMessage: String = "no statement to run",
                           emptyHint: String? = "e.g. SELECT * FROM people.people LIMIT 10") -> [StatementPlan]? {
        let statements = Parser.parseScript(source)
        if statements.isEmpty {
            console.error(emptyMessage, hint: emptyHint)
            return nil
        }
        var plans: [StatementPlan] = []
        for statement in statements {
            guard let plan = compile(statement, in: source) else { return nil }
            plans.append(plan)
        }
        return plans
    }

    /// `translate`'s lines: the first request of each statement, readable or as sent.
    /// A write that needs no read prints its own requests: with `curl`, each as a runnable
    /// command with its method and body.
    public static func urls(_ plans: [StatementPlan], wire: Bool, curl: Bool) -> [String] {
        plans.flatMap { plan -> [String] in
            if curl, case .write(let write) = plan, let requests = write.plannedRequests {
                return requests.map { Self.curl($0.url, method: $0.method, body: $0.body) }
            }
            return plan.initialURLs(style: wire || curl ? .wire : .readable).map { curl ? Self.curl($0) : $0 }
        }
    }

    /// The token is never printed: the command names the variable, and the shell expands it.
    /// Over plain http to another machine the command has no Authorization header, as cbq
    /// itself would send no token there.
    public static func curl(_ url: String, method: String = "GET", body: [UInt8]? = nil) -> String {
        let tokenMayGo = RequestURL(url).map { $0.scheme == "https" || $0.isLoopback } ?? false
        var command = "curl -sS"
        if method != "GET" { command += " -X \(method)" }
        if tokenMayGo { command += " -H \"Authorization: Bearer $CASEBOOK_TOKEN\"" }
        command += " -H 'Accept: application/vnd.api+json' -H 'Content-Type: application/vnd.api+json'"
        if let body { command += " --data-binary " + shellQuoted(String(decoding: body, as: UTF8.self)) }
        command += " " + shellQuoted(url)
        return tokenMayGo ? command : command + "  # no token: cbq sends it over https only (or to loopback)"
    }

    /// Single quotes, with a quote inside written as '\'' (the body may hold O'Brien).
    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacing("'", with: #"'\''"#) + "'"
    }
}
