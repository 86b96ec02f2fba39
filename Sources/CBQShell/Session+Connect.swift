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
        if catalogPath != nil { useCatalogCache(for: target) }
        say("Now querying \(target.description) (profile '\(connection.profile)')" + (readOnly ? ", read-only." : "."))
    }
}

extension Session {
    /// `\conninfo`: where statements go, how that server is spoken to, and where the token
    /// comes from: never the token or the secret.
    func showConnection() {
        var lines = ["Querying \(target.description)" + (profile.map { " (profile '\($0)')" } ?? "") + "."]
        let dialect = Dialect.named.first { $0.dialect == target.dialect }?.name
        let page = target.dialect.pageNumberParameter(2).formatted()
        lines.append("Dialect: \(dialect ?? "a profile's own") (\(target.dialect.operatorKey.description.replacing("{field}", with: "f")), \(page), "
                     + "the total at \(plannerOptions.totalPath?.joined(separator: ".") ?? target.dialect.totalPath.joined(separator: "."))).")
        lines.append("Token: " + tokenSource() + ".")
        var modes: [String] = []
        if readOnly { modes.append("read-only") }
        if dryRun { modes.append("dry run") }
        if !modes.isEmpty { lines.append("Writes: " + modes.joined(separator: ", ") + ".") }
        say(lines.joined(separator: "\n"))
    }

    /// Where the token comes from, in ``TokenPolicy``'s order.
    private func tokenSource() -> String {
        if target.isSandbox { return "none needed (the built-in sandbox)" }
        if let file = target.tokenFile { return "the file \(file)" }
        if !target.ignoresEnvironmentToken, !(environment("CASEBOOK_TOKEN") ?? "").trimming(.whitespace).isEmpty { return "$CASEBOOK_TOKEN" }
        if target.tokenCommand != nil { return "the output of the token command (--token-command)" }
        if let oauth = target.oauth {
            let secret = oauth.secretFile.map { "the file \($0)" } ?? (oauth.secretCommand != nil ? "a command's output" : "$CASEBOOK_CLIENT_SECRET")
            return "OAuth client credentials: client \(oauth.clientID) at \(oauth.tokenURL), its secret from \(secret)"
        }
        return RequestURL(target.baseURL)?.isLoopback == true ? "none (a loopback target may not need one)" : "none: statements will be refused until one is set"
    }
}
