import CBQCore
import CBQRuntime
import CBQShell

/// The profile a command line asks for, as options.
enum Profiles {
    /// The options the profile in use becomes, its name, and every profile's name.
    struct Chosen {
        var arguments: [String] = []
        var profile: String?
        var profiles: [String] = []
        /// The profile's target (and credentials) are the session's: the command line names
        /// no other.
        var targetInUse = false
    }

    static func arguments(for arguments: [String], run: Bool, environment: (String) -> String? = TokenPolicy.processEnvironment)
        throws(ShellFailure) -> Chosen
    {
        var explicit: String?
        for (index, argument) in arguments.enumerated() {
            if argument == "--profile", index + 1 < arguments.count { explicit = arguments[index + 1] }
            if argument.hasPrefix("--profile=") { explicit = String(argument.dropFirst("--profile=".count)) }
        }
        guard let path = ConfigFile.defaultPath(environment: environment), let file = try ConfigFile.load(path) else {
            if let explicit { throw ShellFailure(SysExit.usage, "no profile '\(explicit)': there is no config file", hint: "profiles live in $XDG_CONFIG_HOME/cbq/config.toml or ~/.config/cbq/config.toml") }
            return Chosen()
        }
        let names = file.profiles.keys.sorted()
        guard let profile = try file.profile(explicit: explicit, environment: environment) else { return Chosen(profiles: names) }
        if let dialect = profile.dialect { DefinedDialects.define("profiles.\(profile.name).dialect", dialect) }
        return Chosen(arguments: profile.arguments(run: run, home: environment("HOME"), given: arguments), profile: profile.name, profiles: names,
                      targetInUse: profile.isTargetInUse(given: arguments))
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
            // A target on the command line other than the profile's leaves its credentials behind.
            let typed = given.filter { $0.key == "base_url" || $0.key == "region" }.map { "--" + $0.key.replacing("_", with: "-") + "=" + $0.value }
            let otherTarget = profile.map { !$0.isTargetInUse(given: typed) } ?? false
            for (key, value) in profile?.settings ?? [] where !(otherTarget && ConfigFile.Profile.credentialKeys.contains(key)) {
                settings.append((key, value, "profile \(profile!.name)"))
            }
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
        // A token command may carry a token in its text, and a URL a password (cbq refuses such
        // a URL, but the line that says where it came from must not show it).
        let shown = settings.sorted(by: { $0.key < $1.key }).map {
            ($0.key, $0.key.hasSuffix("secret") || $0.key.hasSuffix("command") ? "••••" : Self.withoutUserInfo($0.value), $0.source)
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

    /// `https://bob:pw@host/x` as `https://••••@host/x`; any other text as it is.
    static func withoutUserInfo(_ value: String) -> String {
        var shown = value
        for range in RequestURL.userInfoRanges(in: value).reversed() { shown.replaceSubrange(range, with: "••••") }
        return shown
    }
}
