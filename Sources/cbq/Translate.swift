import ArgumentParser
import CBQCore
import CBQShell

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
        let plans = try compile(try input.source(), try target.plannerOptions())
        print(Compiler.urls(plans, wire: encoded, curl: curl).map { $0 + "\n" }.joined(), terminator: "")
        // The URL alone would read as the whole query: say (on stderr, so pipes get URLs only)
        // when conditions are evaluated by cbq rather than sent.
        let local = plans.reduce(0) { count, plan in
            if case .select(let read) = plan { return count + read.local.count }
            return count
        }
        if local > 0 {
            Terminal.console.note("note: \(local == 1 ? "1 condition runs" : "\(local) conditions run") here, not in the URL; `cbq explain` shows which")
        }
    }
}

/// Plans every statement of `source`, or reports the first error and exits 65.
func compile(_ source: SourceText, _ options: PlannerOptions) throws -> [StatementPlan] {
    guard let plans = Compiler(planner: Planner(options), console: Terminal.console).compileAll(source) else {
        throw ExitCode(SysExit.dataError)
    }
    return plans
}
