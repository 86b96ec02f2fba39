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
        var arguments = Array(CommandLine.arguments.dropFirst())
        // `cbq --profile NAME translate …` is `cbq translate --profile NAME …`.
        if arguments.count > 2, arguments[0] == "--profile", Subcommands.names.contains(arguments[2]) {
            arguments = [arguments[2], "--profile", arguments[1]] + arguments.dropFirst(3)
        }
        if arguments.first == "config" {
            exit(ConfigCommand.run(Array(arguments.dropFirst())))
        }
        let subcommand = arguments.first.flatMap { Subcommands.names.contains($0) ? $0 : nil }
        // The profile's options go before the command line's, which win (the last counts).
        if subcommand != "sandbox", subcommand != "help", !arguments.contains(where: { $0 == "--help" || $0 == "-h" }) {
            do {
                let profileArguments = try Profiles.arguments(for: arguments, run: subcommand == nil)
                arguments.insert(contentsOf: profileArguments, at: subcommand == nil ? 0 : 1)
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
        discussion: """
            Runs statements from -c, from script files, or from standard input, and prints the rows.

              cbq --sandbox -c "SELECT first_name, last_name FROM people.people WHERE last_name LIKE 'Doe' LIMIT 5"
              cbq --format csv report.cbq > report.csv
              cbq translate "SELECT * FROM people.people WHERE last_name LIKE 'Doe'"
              cbq explain   "SELECT * FROM people.people WHERE state IN ('CA', 'NY')"
              cbq --dry-run -c "UPDATE people.people SET city = 'Boise' WHERE id = 'PER-00007'"
              cbq sandbox   --port 8080

            A real target needs a token: $CASEBOOK_TOKEN or --token-file (not the sandbox, nor a
            loopback --base-url).

            SUBCOMMANDS:
              translate   print the request URL(s) a statement compiles to
              explain     show how a statement will run
              sandbox     run the built-in Casebook-like API
              config      print the settings in effect and where each comes from
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

    @OptionGroup var target: TargetOptions
    @OptionGroup var runOptions: RunOptions

    func validate() throws {
        if runOptions.sandbox && (target.region != nil || target.baseURL != nil) {
            throw ValidationError("--sandbox is its own target: drop --region and --base-url")
        }
    }

    func run() async throws {
        // A closed pipe (`cbq … | head`) must end output quietly, not kill the process mid-write.
        signal(SIGPIPE, SIG_IGN)
        var sources = commands.map { SourceText($0, name: "<query>") }
        for path in files + scripts { sources.append(SourceText(try reporting { try SourceFiles.read(path) }, name: path)) }
        // No statements and a terminal: the interactive shell. Piped input runs as a script.
        let interactive = sources.isEmpty && Terminal.isInteractive(.standardInput)
        if sources.isEmpty && !interactive { sources.append(SourceText(SourceFiles.readStandardInput(), name: "<stdin>")) }
        // In a script, Ctrl-C cancels the statement running (a write then reports which rows it
        // wrote); a second Ctrl-C ends cbq at once.
        if !interactive { ScriptInterrupts.install() }

        var chosen = try target.target(tokenFile: runOptions.tokenFile)
        chosen.tokenCommand = runOptions.tokenCommand
        chosen.oauth = runOptions.oauthClient
        var server: SandboxServer?
        if runOptions.sandbox {
            var options = SandboxOptions()
            options.latency = .milliseconds(runOptions.sandboxLatency)
            // The built-in sandbox speaks what the client was told the server speaks.
            options.acceptsIDLists = target.idLists
            options.dialect = target.chosenDialect
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
        if !interactive && !runOptions.sandbox {
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
        if !interactive { session.interruptRequested = { ScriptInterrupts.wasInterrupted } }
        let status = interactive ? await Shell.run(session) : await session.runCancellably(sources)
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

/// The profile a command line asks for, as options.
enum Profiles {
    static func arguments(for arguments: [String], run: Bool, environment: (String) -> String? = TokenPolicy.processEnvironment)
        throws(ShellFailure) -> [String]
    {
        var explicit: String?
        for (index, argument) in arguments.enumerated() {
            if argument == "--profile", index + 1 < arguments.count { explicit = arguments[index + 1] }
            if argument.hasPrefix("--profile=") { explicit = String(argument.dropFirst("--profile=".count)) }
        }
        guard let path = ConfigFile.defaultPath(environment: environment), let file = try ConfigFile.load(path) else {
            if let explicit { throw ShellFailure(SysExit.usage, "no profile '\(explicit)': there is no config file", hint: "profiles live in $XDG_CONFIG_HOME/cbq/config.toml or ~/.config/cbq/config.toml") }
            return []
        }
        guard let profile = try file.profile(explicit: explicit, environment: environment) else { return [] }
        return profile.arguments(run: run, home: environment("HOME"), given: arguments)
    }
}

/// `cbq config [--profile NAME] [--option value …]`: the settings in effect, each with where
/// it comes from (an option, the environment, a profile), secrets shown as ••••.
enum ConfigCommand {
    static func run(_ arguments: [String], environment: (String) -> String? = TokenPolicy.processEnvironment) -> Int32 {
        var explicit: String?
        var given: [(key: String, value: String)] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("--") else {
                Terminal.console.error("cbq config takes options only, not '\(argument)'", hint: "cbq config [--profile NAME] [--page-size 50 …]")
                return SysExit.usage
            }
            let name = String(argument.dropFirst(2)).replacing("-", with: "_")
            if let spec = ConfigFile.keys.first(where: { $0.key == name }), spec.flag {
                given.append((name, "true")); index += 1; continue
            }
            if name.hasPrefix("no_"), ConfigFile.keys.contains(where: { $0.key == String(name.dropFirst(3)) && $0.flag }) {
                given.append((String(name.dropFirst(3)), "false")); index += 1; continue
            }
            guard index + 1 < arguments.count else {
                Terminal.console.error("\(argument) needs a value")
                return SysExit.usage
            }
            guard name == "profile" || ConfigFile.keys.contains(where: { $0.key == name }) else {
                Terminal.console.error("unknown option '\(argument)'", hint: "cbq config takes --profile and the options a profile may set")
                return SysExit.usage
            }
            if name == "profile" { explicit = arguments[index + 1] } else { given.append((name, arguments[index + 1])) }
            index += 2
        }
        var lines: [String] = []
        var settings: [(key: String, value: String, source: String)] = []
        do {
            let path = ConfigFile.defaultPath(environment: environment)
            let file = try path.flatMap { (path) throws(ShellFailure) in try ConfigFile.load(path) }
            let profile = try file?.profile(explicit: explicit, environment: environment)
            if let file {
                let chosenBy = explicit != nil ? "--profile" : environment("CBQ_PROFILE").map { _ in "$CBQ_PROFILE" } ?? "the default"
                lines.append("config file  \(file.path)" + (profile.map { ", profile '\($0.name)' (\(chosenBy))" } ?? ", no profile in use"))
            } else {
                lines.append("config file  none (\(path ?? "no $HOME") does not exist)")
            }
            for (key, value) in profile?.settings ?? [] { settings.append((key, value, "profile \(profile!.name)")) }
        } catch {
            Terminal.console.error(error)
            return error.status
        }
        for (key, value) in given {
            settings.removeAll { $0.key == key }
            settings.append((key, value, "option"))
        }
        for (variable, key) in [("CASEBOOK_TOKEN", "token"), ("CASEBOOK_CLIENT_SECRET", "client_secret")] where !(environment(variable) ?? "").isEmpty {
            settings.append((key, "••••", "$" + variable))
        }
        let width = max(12, settings.map(\.key.count).max() ?? 0)
        // A token command may carry a token in its text.
        let shown = settings.sorted(by: { $0.key < $1.key }).map {
            ($0.key, $0.key.hasSuffix("secret") || $0.key == "token_command" ? "••••" : $0.value, $0.source)
        }
        let valueWidth = shown.map(\.1.count).max() ?? 0
        for (key, value, source) in shown {
            lines.append(key + String(repeating: " ", count: width - key.count + 1) + value
                         + String(repeating: " ", count: valueWidth - value.count + 2) + source)
        }
        lines.append("everything else: its default (cbq --help)")
        Terminal.console.say(lines.joined(separator: "\n"))
        return 0
    }
}
