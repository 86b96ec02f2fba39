import CBQCore
import CBQRuntime

/// What `\connect NAME` switches to: a profile's target and settings, made by the same path
/// as `cbq --profile NAME` (the command line's own options, less its target and credentials).
public struct Connection: Sendable {
    public var profile: String
    /// Every profile of the config file, as read for this one.
    public var profiles: [String]
    public var target: Target
    public var plannerOptions: PlannerOptions
    public var execution: ExecutionOptions
    public var readOnly: Bool

    public init(profile: String, profiles: [String], target: Target, plannerOptions: PlannerOptions, execution: ExecutionOptions,
                readOnly: Bool) {
        self.profile = profile
        self.profiles = profiles
        self.target = target
        self.plannerOptions = plannerOptions
        self.execution = execution
        self.readOnly = readOnly
    }
}

extension Session {
    /// `\connect NAME`: the profile's target, dialect, paging, guards and credentials; the
    /// session's `:variables`, `\format`, `\x` and `\timing` stay. Its credentials are checked
    /// before the switch (nothing is sent): a profile without a token leaves the session where
    /// it was. `\connect` alone lists the profiles.
    func connect(_ name: String) {
        guard let connector else {
            console.error("\\connect switches between profiles, and there is no config file",
                          hint: "profiles live in $XDG_CONFIG_HOME/cbq/config.toml or ~/.config/cbq/config.toml")
            return
        }
        if name.isEmpty {
            let names = catalog.profiles
            say(names.isEmpty ? "No profiles in the config file."
                : "Profiles:\n" + names.map { ($0 == profile ? "* " : "  ") + $0 }.joined(separator: "\n"))
            return
        }
        let connection: Connection
        let credentials: any CredentialsProvider
        do {
            connection = try connector(name)
            credentials = try TokenPolicy.credentials(for: connection.target, environment: environment, transport: transport)
        } catch {
            console.error(error)
            say("Still querying \(target.description)" + (profile.map { " (profile '\($0)')" } ?? "") + ".")
            return
        }
        var options = connection.plannerOptions
        options.parameters.merge(plannerOptions.parameters) { _, session in session }
        target = connection.target
        plannerOptions = options
        execution = connection.execution
        readOnly = connection.readOnly
        resolvedCredentials = credentials
        profile = connection.profile
        catalog.profiles = connection.profiles
        catalog.forgetTypes()
        say("Now querying \(target.description) (profile '\(connection.profile)')" + (readOnly ? ", read-only." : "."))
    }
}
