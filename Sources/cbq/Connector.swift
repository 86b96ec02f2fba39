import ArgumentParser
import CBQCore
import CBQShell

/// `\connect NAME`: a profile's target and settings, made as `cbq --profile NAME` with this
/// command line's other options would make them. The command line's target and credentials
/// are left out (a token for one host must not follow the user to another); its output and
/// safety options (`--format`, `--read-only`, `--dry-run`, …) stay.
enum Connector {
    /// The command line as typed, before a profile's options went in front of it; the config
    /// file's profiles then, and the one in use. Set once at start, before anything runs
    /// concurrently, and only read after.
    nonisolated(unsafe) static var commandLine: [String] = []
    nonisolated(unsafe) static var profiles: [String] = []
    nonisolated(unsafe) static var startupProfile: String?
    /// The startup profile's target is the session's (the command line named no other).
    nonisolated(unsafe) static var startupProfileInUse = false

    /// Options that say where queries go, as whom, and how that server is spoken to (its
    /// dialect, page sizes, fields and resource types), with a value, and without.
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
        let chosen = try Profiles.arguments(for: given, run: true)
        let arguments = chosen.arguments + given
        let parsed: ParsableCommand
        do {
            parsed = try CBQ.parseAsRoot(arguments)
        } catch {
            throw ShellFailure(SysExit.usage, "profile '\(name)': \(CBQ.message(for: error))")
        }
        guard let command = parsed as? CBQ else { throw ShellFailure(SysExit.usage, "profile '\(name)' cannot be used here") }
        var target = try command.target.makeTarget(tokenFile: command.runOptions.chosenTokenFile(environment: { _ in nil }))
        target.tokenCommand = command.runOptions.tokenCommand
        target.oauth = command.runOptions.oauthClient
        // The environment's token was for the target the shell started with: a profile with
        // credentials of its own uses them.
        target.ignoresEnvironmentToken = target.hasOwnCredentials
        let options: PlannerOptions
        do {
            options = try command.target.plannerOptions(for: target)
        } catch {
            throw ShellFailure(SysExit.usage, "profile '\(name)': \(CBQ.message(for: error))")
        }
        return Connection(profile: name, profiles: chosen.profiles, target: target, plannerOptions: options,
                          execution: command.runOptions.executionOptions(), readOnly: command.runOptions.readOnly)
    }
}
