import ArgumentParser
import CBQCore
import CBQShell

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show how a statement will run: requests, filters sent and evaluated locally, sort, paging.",
        discussion: "Sends nothing. The EXPLAIN statement prints the same."
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var target: TargetOptions

    func run() throws {
        let plans = try compile(try input.source(), try target.plannerOptions())
        print(plans.map { $0.explanation() }.joined(separator: "\n\n"))
    }
}
