import CBQCore
import CBQRuntime

/// A backslash command: its name, arguments, summary and handler. The one table generates
/// `\help`, completion and "did you mean …?".
struct MetaCommand: Sendable {
    let name: String
    let arguments: String
    let summary: String
    let run: @Sendable (REPL, String) async -> Void
}

enum MetaCommands {
    static let all: [MetaCommand] = [
        MetaCommand(name: "help", arguments: "[command]", summary: "list commands, or explain one") { repl, argument in repl.help(argument) },
        MetaCommand(name: "q", arguments: "", summary: "quit (Ctrl-D on an empty line too)") { repl, _ in repl.quit() },
        MetaCommand(name: "x", arguments: "[on|off|auto]", summary: "records instead of a table (auto: when too wide)") { repl, argument in
            repl.setExpanded(argument)
        },
        MetaCommand(name: "format", arguments: "FORMAT", summary: "table, vertical, json, ndjson, csv or markdown") { repl, argument in
            repl.setFormat(argument)
        },
        MetaCommand(name: "timing", arguments: "[on|off]", summary: "show how long each statement took") { repl, argument in repl.setTiming(argument) },
        MetaCommand(name: "set", arguments: "[name [value]]", summary: "list parameters, or set :name") { repl, argument in repl.set(argument) },
        MetaCommand(name: "unset", arguments: "name", summary: "forget :name") { repl, argument in repl.unset(argument) },
        MetaCommand(name: "i", arguments: "FILE", summary: "run the statements of a file") { repl, argument in await repl.include(argument) },
        MetaCommand(name: "o", arguments: "[FILE]", summary: "results to a file (owner-only), or back to the screen") { repl, argument in
            repl.redirect(argument)
        },
        MetaCommand(name: "url", arguments: "QUERY", summary: "print the request URL(s), sending nothing") { repl, argument in repl.translate(argument, curl: false) },
        MetaCommand(name: "curl", arguments: "QUERY", summary: "print a curl command for the query") { repl, argument in repl.translate(argument, curl: true) },
        MetaCommand(name: "explain", arguments: "QUERY", summary: "show how the query will run") { repl, argument in repl.explain(argument) },
        MetaCommand(name: "region", arguments: "us|ca", summary: "query the US or Canadian API") { repl, argument in repl.setRegion(argument) },
        MetaCommand(name: "base", arguments: "URL", summary: "query another base URL") { repl, argument in repl.setBase(argument) },
        MetaCommand(name: "d", arguments: "[service.endpoint]", summary: "list endpoints, or the columns seen for one") { repl, argument in
            repl.describe(argument)
        },
        MetaCommand(name: "history", arguments: "", summary: "list earlier statements") { repl, _ in repl.showHistory() },
    ]

    static func named(_ name: String) -> MetaCommand? { all.first { $0.name == name } }

    /// The `\help` text, from the table.
    static var help: String {
        let width = all.map { $0.name.count + 1 + ($0.arguments.isEmpty ? 0 : $0.arguments.count + 1) }.max() ?? 0
        var lines = ["Statements end with ';' and may span lines:",
                     "  SELECT first_name, last_name FROM people.people WHERE last_name LIKE 'Doe' LIMIT 5;",
                     "", "Commands:"]
        for command in all {
            let usage = "\\" + command.name + (command.arguments.isEmpty ? "" : " " + command.arguments)
            lines.append("  " + usage + String(repeating: " ", count: max(1, width + 2 - usage.count)) + command.summary)
        }
        lines.append("")
        lines.append("Keys: Tab completes keywords, endpoints and columns; Up/Down recall history; Ctrl-C clears the line")
        lines.append("or cancels a running query; Ctrl-D on an empty line quits.")
        return lines.joined(separator: "\n")
    }
}
