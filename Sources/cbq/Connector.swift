import ArgumentParser
import CBQCore
import CBQShell

/// `\connect NAME`: a profile's target and settings, made as `cbq --profile NAME` with this
/// command line's other options would make them. The command line's target and credentials
/// are left out (a token for one host must not follow the user to another); its output and
/// safety options (`--format`, `--read-only`, `--dry-run`, …) stay.
enum Connector {
    /// The command line as typed, before a profile's options went in front of it; set once at
    /// start, before anything runs concurrently.
    nonisolated(unsafe) static var commandLine: [String] = []
    /// The config file's profiles, and the one in use at start.
    nonisolated(unsafe) static var profiles: [String] = []
    nonisolated(unsafe) static var startupProfile: String?

    /// Options that say where queries go and as whom, with a value, and without.
    static let targetOptions: Set<String> = [
        "--profile", "--region", "--base-url", "--dialect", "--comparisons", "--page-param", "--page-size", "--max-page-size",
        "--total-path", "--token-file", "--profile-token-file", "--token-command", "--token-url", "--client-id", "--client-secret-file",
        "--client-secret-command", "--sandbox-latency-ms", "--resource-type",
    ]
    static let targetFlags: Set<String> = [
        "--sandbox", "--include", "--no-include", "--id-lists", "--no-id-lists", "--trailing-slash", "--no-trailing-slash",
        "--fields", "--no-fields",
    ]

    /// `arguments` less its target and credentials options.
    static func withoutTarget(_ arguments: [String]) -> [String] {
        var kept: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if targetFlags.contains(argument) {
                index += 1
            } else if targetOptions.contains(name) {
                index += argument.contains("=") ? 1 : 2
            } else {
                kept.append(argument)
                index += 1
            }
        }
        return kept
    }

    static func connect(_ name: String) throws(ShellFailure) -> Connection {
        let given = withoutTarget(commandLine) + ["--profile", name]
        let arguments = try Profiles.arguments(for: given, run: true) + given
        let parsed: ParsableCommand
        do {
            parsed = try CBQ.parseAsRoot(arguments)
        } catch {
            throw ShellFailure(SysExit.usage, "profile '\(name)': \(CBQ.message(for: error))")
        }
        guard let command = parsed as? CBQ else { throw ShellFailure(SysExit.usage, "profile '\(name)' cannot be used here") }
        var target = try command.target.makeTarget(tokenFile: command.runOptions.chosenTokenFile())
        target.tokenCommand = command.runOptions.tokenCommand
        target.oauth = command.runOptions.oauthClient
        let options: PlannerOptions
        do {
            options = try command.target.plannerOptions(for: target)
        } catch {
            throw ShellFailure(SysExit.usage, "profile '\(name)': \(CBQ.message(for: error))")
        }
        return Connection(profile: name, target: target, plannerOptions: options, execution: command.runOptions.executionOptions(),
                          readOnly: command.runOptions.readOnly)
    }
}
