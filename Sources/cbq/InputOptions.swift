import ArgumentParser
import CBQCore
import CBQShell

/// Where the statements come from: an argument, `-f FILE`, or standard input.
struct InputOptions: ParsableArguments {
    @Argument(help: "The statement(s); read from standard input when omitted.")
    var query: String?

    @Option(name: [.customShort("f"), .customLong("file")], help: ArgumentHelp("Read the statements from a .cbq file.", valueName: "path"))
    var file: String?

    func validate() throws {
        if query != nil && file != nil { throw ValidationError("give a query or -f FILE, not both") }
    }

    func source() throws -> SourceText {
        if let query { return SourceText(query, name: "<query>") }
        if let file { return SourceText(try reporting { try SourceFiles.read(file) }, name: file) }
        if Terminal.isInteractive(.standardInput) {
            throw ValidationError("give a query, -f FILE, or statements on standard input")
        }
        return SourceText(SourceFiles.readStandardInput(), name: "<stdin>")
    }
}
