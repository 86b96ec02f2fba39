import ArgumentParser
import CBQCore

@main
struct CBQ: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cbq",
        abstract: "Query Casebook's JSON:API service with SQL.",
        discussion: """
            cbq compiles a SQL statement into Casebook API requests (filters, sort, paging).

              cbq translate "SELECT * FROM people.people WHERE last_name LIKE 'Doe'"
              cbq explain   "SELECT * FROM people.people WHERE state IN ('CA', 'NY')"
              cbq sandbox   --port 8080
            """,
        version: "0.1.0",
        subcommands: [Translate.self, Explain.self, SandboxCommand.self]
    )
}
