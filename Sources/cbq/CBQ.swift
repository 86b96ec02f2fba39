#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import CBQCore
import CBQRuntime
import CBQSandbox
import CBQShell

/// The entry point. ArgumentParser would read a subcommand's name as the run command's
/// `script.cbq` argument, so subcommands are routed by their name first.
@main
enum Entry {
    static func main() async {
        // A core file would hold the token and the rows read: none is written.
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(Int32(RLIMIT_CORE.rawValue), &noCore)
        var arguments = Array(CommandLine.arguments.dropFirst())
        Connector.commandLine = arguments
        // `cbq --profile NAME translate …` is `cbq translate --profile NAME …`.
        if arguments.count > 2, arguments[0] == "--profile", Subcommands.names.contains(arguments[2]) {
            arguments = [arguments[2], "--profile", arguments[1]] + arguments.dropFirst(3)
        }
        // `cbq describe svc.ep …` runs as the main command, with its target options.
        if arguments.first == "describe" {
            arguments[0] = "--describe-endpoints"
        } else if arguments.count > 2, arguments[0] == "--profile", arguments[2] == "describe" {
            arguments[2] = "--describe-endpoints"
        }
        if arguments.first == "config" {
            exit(ConfigCommand.run(Array(arguments.dropFirst())))
        }
        let subcommand = arguments.first.flatMap { Subcommands.names.contains($0) ? $0 : nil }
        // The profile's options go before the command line's, which win (the last counts).
        if subcommand != "sandbox", subcommand != "help", !arguments.contains(where: { $0 == "--help" || $0 == "-h" }) {
            do {
                let chosen = try Profiles.arguments(for: arguments, run: subcommand == nil)
                arguments.insert(contentsOf: chosen.arguments, at: subcommand == nil ? 0 : 1)
                Connector.startupProfile = chosen.profile
                Connector.startupProfileInUse = chosen.targetInUse
                Connector.profiles = chosen.profiles
            } catch {
                Terminal.console.error(error)
                exit(error.status)
            }
        }
        if subcommand != nil {
            await Subcommands.main(arguments)
        } else {
            await CBQ.main(arguments)
        }
    }
}

/// `cbq translate`, `cbq explain`, `cbq sandbox`, `cbq help …`.
struct Subcommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cbq",
        subcommands: [Translate.self, Explain.self, SandboxCommand.self]
    )
    static let names: Set<String> = ["translate", "explain", "sandbox", "help", "config"]
}

/// `cbq [options] [-c QUERY]… [script.cbq]…`: runs statements.
struct CBQ: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cbq",
        abstract: "Query Casebook's JSON:API service with SQL.",
        // Prose is one line a paragraph: ArgumentParser wraps it to the terminal, and a line
        // break of our own would land mid-sentence. Examples stay short enough not to wrap.
        discussion: """
            Runs statements from -c, from script files, or from standard input, and prints the rows.

              cbq --sandbox -c "SELECT first_name FROM people.people LIMIT 5"
              cbq --format csv report.cbq > report.csv
              cbq translate "SELECT * FROM people.people WHERE city = 'Boise'"
              cbq explain "SELECT * FROM people.people WHERE state IN ('CA', 'NY')"
              cbq --dry-run -c "DELETE FROM attachments.notes WHERE id = 'NTE-1'"
              cbq sandbox --port 8080

            A real target needs a token: $CASEBOOK_TOKEN, --token-file, --token-command, OAuth client credentials or a profile's (cbq config shows which); the sandbox needs none.

            SUBCOMMANDS:
              translate   print the request URL(s) a statement compiles to
              explain     show how a statement will run
              sandbox     run the built-in Casebook-like API
              config      print the settings in effect and where each comes from
              describe    ask the API for one page of an endpoint; print its columns and types
            (cbq help SUBCOMMAND for their options)
            """,
        version: "0.1.0"
    )

    @Option(name: .customShort("c"), help: ArgumentHelp("Run this statement (repeatable).", valueName: "query"))
    var commands: [String] = []

    @Option(name: [.customShort("f"), .customLong("file")], help: ArgumentHelp("Run the statements of a .cbq file (repeatable).", valueName: "path"))
    var files: [String] = []

    @Argument(help: ArgumentHelp("Script files to run, in order.", valueName: "script.cbq"))
    var scripts: [String] = []

    /// `cbq describe svc.ep …` (the entry point's spelling): the arguments are endpoints.
    @Flag(name: .customLong("describe-endpoints"), help: .hidden)
    var describesEndpoints = false

    @OptionGroup var target: TargetOptions
    @OptionGroup var runOptions: RunOptions

    func validate() throws {
        if runOptions.sandbox && (target.region != nil || target.baseURL != nil) {
            throw ValidationError("--sandbox is its own target: drop --region and --base-url")
        }
    }

    enum Source: Equatable { case statement(String), file(String) }

    /// `-c`, `-f` and script files in the order the command line gives them, as psql runs `-c`
    /// and `-f` (a setup statement before a script, a check after it). Where the arguments
    /// cannot be matched up with certainty, statements first, then files, as before.
    static func inOrder(commands: [String], files: [String], scripts: [String], given arguments: [String]) -> [Source] {
        let fallback = commands.map(Source.statement) + (files + scripts).map(Source.file)
        var found: [Source] = []
        var nextScript = 0
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "-c" || argument == "-f" || argument == "--file", index + 1 < arguments.count {
                found.append(argument == "-c" ? .statement(arguments[index + 1]) : .file(arguments[index + 1]))
                index += 2
                continue
            }
            if argument.hasPrefix("--file=") { found.append(.file(String(argument.dropFirst(7)))) }
            else if nextScript < scripts.count, argument == scripts[nextScript] {
                found.append(.file(argument))
                nextScript += 1
            }
            index += 1
        }
        let statements = found.compactMap { if case .statement(let text) = $0 { text } else { nil } }
        let paths = found.compactMap { if case .file(let path) = $0 { path } else { nil } }
        guard statements == commands, paths.count == files.count + scripts.count, Set(paths) == Set(files + scripts) else { return fallback }
        return found
    }

    func run() async throws {
        // A closed pipe (`cbq … | head`) must end output quietly, not kill the process mid-write.
        signal(SIGPIPE, SIG_IGN)
        if describesEndpoints && (scripts.isEmpty || !commands.isEmpty || !files.isEmpty) {
            throw ValidationError("cbq describe takes endpoints (e.g. cbq describe people.people), not -c or -f")
        }
        var sources: [SourceText] = []
        for item in Self.inOrder(commands: commands, files: describesEndpoints ? [] : files, scripts: describesEndpoints ? [] : scripts,
                                 given: Connector.commandLine) {
            switch item {
            case .statement(let text): sources.append(SourceText(text, name: "<query>"))
            case .file(let path): sources.append(SourceText(try reporting { try SourceFiles.read(path) }, name: path))
            }
        }
        // No statements and a terminal: the interactive shell. Piped input runs as a script.
        let interactive = sources.isEmpty && Terminal.isInteractive(.standardInput) && !describesEndpoints
        if sources.isEmpty && !interactive && !describesEndpoints {
            let input = SourceText(SourceFiles.readStandardInput(), name: "<stdin>")
            // Empty input is nothing to do, as for psql and duckdb: no error, no token asked for.
            if StatementSplitter.split(input).isEmpty { return }
            sources.append(input)
        }
        // In a script, Ctrl-C cancels the statement running (a write then reports which rows it
        // wrote); a second Ctrl-C ends cbq at once.
        if !interactive { ScriptInterrupts.install() }

        var chosen = try target.target(tokenFile: runOptions.chosenTokenFile())
        chosen.tokenCommand = runOptions.tokenCommand
        chosen.oauth = runOptions.oauthClient
        var server: SandboxServer?
        if runOptions.sandbox {
            var options = SandboxOptions()
            options.latency = .milliseconds(runOptions.sandboxLatency)
            // The built-in sandbox speaks what the client was told the server speaks.
            options.dialect = target.chosenDialect
            options.acceptsIDLists = options.dialect.idLists
            options.maxPageSize = target.chosenMaxPageSize
            // The sandbox's data is current to the same day now() reads.
            options.today = try target.clock()
            // A pinned clock pins the timestamps the sandbox gives what cbq writes, too.
            if target.pinsTheClock {
                let stamp = CivilDate.timestamp(seconds: try target.clock().seconds)
                options.now = { stamp }
            }
            do {
                server = try await SandboxServer.start(options: options)
            } catch {
                Terminal.console.error("could not start the sandbox: \(error)")
                throw ExitCode(SysExit.unavailable)
            }
            chosen = .sandbox(at: server!.baseURL, dialect: chosen.dialect)
        }
        let transport = AsyncHTTPTransport(connectTimeout: .seconds(runOptions.connectTimeout), requestTimeout: .seconds(runOptions.timeout))
        // Scripts check the token before anything is sent: without one for a real target,
        // nothing is. (The shell checks it at each statement, so the session can still start.)
        var credentials: (any CredentialsProvider)?
        // Nothing to run (`cbq < /dev/null`, a file of comments) needs no token.
        let hasStatements = describesEndpoints || sources.contains { !StatementSplitter.split($0).isEmpty }
        if !interactive && !runOptions.sandbox && hasStatements {
            do {
                credentials = try TokenPolicy.credentials(for: chosen, transport: transport)
            } catch {
                await transport.shutdown()
                throw error.exit()
            }
        }
        let plannerOptions: PlannerOptions
        do {
            plannerOptions = try target.plannerOptions(for: chosen)
        } catch {
            await transport.shutdown()
            await server?.stop()
            throw error
        }
        let session = Session(target: chosen, plannerOptions: plannerOptions, execution: runOptions.executionOptions(),
                              transport: transport, console: Terminal.console, format: runOptions.format, credentials: credentials)
        session.continueOnError = runOptions.continueOnError
        session.readOnly = runOptions.readOnly
        session.dryRun = runOptions.dryRun
        if runOptions.confirm {
            session.confirmsWrites = true
            session.confirm = { question in Terminal.ask(question) }
        }
        if !target.pinsTheClock { session.clock = { TargetOptions.systemClock() } }
        session.catalog.profiles = Connector.profiles
        if !Connector.profiles.isEmpty { session.connector = { name throws(ShellFailure) in try Connector.connect(name) } }
        // The prompt names the profile whose target is in use (not when the command line named
        // another); its credentials then stay with it on \region and \base.
        if Connector.startupProfileInUse { session.profile = Connector.startupProfile }
        if !interactive { session.interruptRequested = { ScriptInterrupts.wasInterrupted } }
        // The built-in sandbox's endpoints are known from the first prompt: `\d` shows their
        // columns and types, Tab completes them, and a constant compared with a column is read
        // as its type from the first statement on, in scripts too.
        if runOptions.sandbox { await session.learnSchema(of: KnownEndpoint.all.map(\.qualifiedName)) }
        // Any other target's catalog is kept between sessions (column names and kinds only).
        if !runOptions.sandbox { session.useCatalogCache(for: chosen) }
        let status = describesEndpoints ? await session.describeFromCommandLine(scripts)
            : interactive ? await Shell.run(session) : await session.runCancellably(sources)
        session.finish()
        await transport.shutdown()
        await server?.stop()
        if status != 0 { throw ExitCode(status) }
    }
}

/// SIGINT while a script or `-c` runs: the first sets a flag the session watches; the second
/// ends the process, as an impatient user means.
enum ScriptInterrupts {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0

    private static let handler: @convention(c) (Int32) -> Void = { _ in
        if ScriptInterrupts.flag != 0 { _exit(SysExit.interrupted) }
        ScriptInterrupts.flag = 1
    }

    static func install() { setSignalHandler(SIGINT, handler, restartingCalls: true) }

    static var wasInterrupted: Bool { flag != 0 }
}
