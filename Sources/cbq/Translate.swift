import ArgumentParser
import CBQCore

struct Translate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the request URL(s) a statement compiles to, without sending anything.",
        discussion: """
            Prints the first request's URL, one line per request, for each statement. Brackets are
            shown as the guide writes them; --encoded prints the exact bytes sent.

              cbq translate "SELECT * FROM attachments.notes WHERE created_at >= '2025-01-01T00:00:00Z'"
            """
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var target: TargetOptions

    @Flag(help: "Print the URL exactly as sent on the wire (brackets as %5B and %5D).")
    var encoded = false

    @Flag(help: "Print a runnable curl command (the token comes from $CASEBOOK_TOKEN when it runs).")
    var curl = false

    func run() throws {
        let plans = try Compilation(source: try input.source(), planner: Planner(try target.plannerOptions())).plans()
        var output = ""
        for plan in plans {
            for url in plan.initialURLs(style: encoded || curl ? .wire : .readable) {
                output += (curl ? Self.curl(url) : url) + "\n"
            }
        }
        print(output, terminator: "")
    }

    /// The token is never printed: the command names the variable, and the shell expands it.
    static func curl(_ url: String) -> String {
        "curl -sS -H \"Authorization: Bearer $CASEBOOK_TOKEN\" -H 'Accept: application/vnd.api+json'"
            + " -H 'Content-Type: application/vnd.api+json' '\(url)'"
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show how a statement will run: requests, filters sent and evaluated locally, sort, paging.",
        discussion: "Sends nothing. The EXPLAIN statement prints the same."
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var target: TargetOptions

    func run() throws {
        let plans = try Compilation(source: try input.source(), planner: Planner(try target.plannerOptions())).plans()
        print(plans.map { $0.explanation() }.joined(separator: "\n\n"))
    }
}
