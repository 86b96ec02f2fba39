#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CBQCore
import TOMLKit

/// Named settings for a target, from `$XDG_CONFIG_HOME/cbq/config.toml` (else
/// `~/.config/cbq/config.toml`):
///
///     [profiles.default]                 # used when no profile is named
///     region = "us"
///     token_url = "https://TENANT-CALLBACK/oauth2/token"
///     client_id = "…"
///     client_secret_file = "~/.config/cbq/secret"
///
///     [profiles.staging]
///     base_url = "https://staging.example.org"
///     dialect = "drf"                    # a preset, or a table (``DialectTable``)
///
/// A key is a long option's name with underscores. A profile becomes those options, placed
/// before the command line's, so an option given on the command line wins (the last of an
/// option counts). `--profile NAME` wins over `$CBQ_PROFILE`; without either, `default`.
public struct ConfigFile: Sendable {
    public struct Profile: Sendable, Equatable {
        public var name: String
        /// Keys and values as written, sorted by key; a dialect table's value is its name,
        /// `profiles.NAME.dialect`.
        public var settings: [(key: String, value: String)]
        /// The dialect the profile defines as a table, if it does.
        public var dialect: Dialect?

        public static func == (a: Profile, b: Profile) -> Bool {
            a.name == b.name && a.settings.map(\.key) == b.settings.map(\.key) && a.settings.map(\.value) == b.settings.map(\.value)
                && a.dialect == b.dialect
        }
    }

    public var path: String
    public var profiles: [String: Profile]

    /// The keys a profile may hold: each a long option's name with underscores; `run` ones are
    /// options of running statements only (not of `translate` and `explain`).
    public static let keys: [(key: String, run: Bool, flag: Bool)] = [
        ("region", false, false), ("base_url", false, false), ("dialect", false, false), ("comparisons", false, false),
        ("page_param", false, false), ("page_size", false, false), ("max_page_size", false, false), ("total_path", false, false),
        ("include", false, true), ("id_lists", false, true), ("server_sort", false, false), ("trailing_slash", false, true), ("fields", false, true),
        ("token_file", true, false), ("token_command", true, false), ("token_url", true, false), ("client_id", true, false),
        ("client_secret_file", true, false), ("client_secret_command", true, false), ("format", true, false), ("concurrency", true, false), ("retries", true, false),
        ("max_pages", true, false), ("max_local_rows", true, false), ("timeout", true, false), ("connect_timeout", true, false),
        ("read_only", true, true), ("confirm", true, true),
    ]

    /// Where the file is: `$XDG_CONFIG_HOME/cbq/config.toml`, else `$HOME/.config/cbq/config.toml`.
    public static func defaultPath(environment: (String) -> String?) -> String? {
        if let config = environment("XDG_CONFIG_HOME"), !config.isEmpty { return config + "/cbq/config.toml" }
        if let home = environment("HOME"), !home.isEmpty { return home + "/.config/cbq/config.toml" }
        return nil
    }

    /// The file at `path`, or nil when there is none. A file others can read is refused (it may
    /// name secrets), as `.pgpass` is; a syntax error names its line.
    public static func load(_ path: String) throws(ShellFailure) -> ConfigFile? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        guard status.st_mode & 0o077 == 0 else {
            throw ShellFailure(SysExit.noPermission, "the config file '\(path)' can be read by others than its owner: not used",
                               hint: "chmod 600 '\(path)', as .pgpass must be")
        }
        return try parse(try SourceFiles.read(path), path: path)
    }

    /// Parses a config file's text.
    public static func parse(_ text: String, path: String) throws(ShellFailure) -> ConfigFile {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ShellFailure(SysExit.usage, "\(path):\(error.source.begin.line):\(error.source.begin.column): \(error.description)")
        } catch {
            throw ShellFailure(SysExit.usage, "\(path): \(error)")
        }
        var profiles: [String: Profile] = [:]
        for (key, _) in table where key != "profiles" {
            throw ShellFailure(SysExit.usage, "\(path): unknown section '\(key)'", hint: "settings go in [profiles.NAME] tables")
        }
        guard let named = table["profiles"] else { return ConfigFile(path: path, profiles: [:]) }
        guard let namedTable = named.table else { throw ShellFailure(SysExit.usage, "\(path): 'profiles' must be tables: [profiles.NAME]") }
        for (name, value) in namedTable {
            guard let settings = value.table else { throw ShellFailure(SysExit.usage, "\(path): profiles.\(name) must be a table") }
            var pairs: [(key: String, value: String)] = []
            var dialect: Dialect?
            for (key, value) in settings {
                if key == "dialect", let table = value.table {
                    do {
                        dialect = try DialectTable.parse(table)
                    } catch {
                        let line = locate(error.key.split(separator: ".").map(String.init), in: ["profiles", name, "dialect"], text: text)
                        throw ShellFailure(SysExit.usage, "\(path)\(line.map { ":\($0)" } ?? ""): profiles.\(name).dialect.\(error.key) \(error.message)",
                                           hint: error.hint)
                    }
                    pairs.append((key, "profiles.\(name).dialect"))
                    continue
                }
                let line = locate([key], in: ["profiles", name], text: text).map { ":\($0)" } ?? ""
                guard let spec = keys.first(where: { $0.key == key }) else {
                    let near = Suggestion.closest(to: key, among: keys.map(\.key))
                    throw ShellFailure(SysExit.usage, "\(path)\(line): profile '\(name)' has an unknown key '\(key)'",
                                       hint: near.map { "did you mean '\($0)'?" } ?? "keys are the long options' names with underscores, e.g. base_url")
                }
                if spec.flag {
                    guard let flag = value.bool else { throw ShellFailure(SysExit.usage, "\(path)\(line): profiles.\(name).\(key) must be true or false") }
                    pairs.append((key, flag ? "true" : "false"))
                } else if let text = value.string { pairs.append((key, text)) }
                else if let number = value.int { pairs.append((key, String(number))) }
                else if let flag = value.bool { pairs.append((key, flag ? "true" : "false")) }
                else {
                    throw ShellFailure(SysExit.usage, "\(path)\(line): profiles.\(name).\(key) must be a string, a number or true/false")
                }
            }
            profiles[name] = Profile(name: name, settings: pairs.sorted { $0.key < $1.key }, dialect: dialect)
        }
        return ConfigFile(path: path, profiles: profiles)
    }

    /// The line (from 1) where `key` is set in `table`, for errors TOML's parser cannot place:
    /// `key = …` under `[table]`, else within an inline table on the line that sets the table.
    /// Nil when not found (a dotted key, say): the error still names the key in full.
    static func locate(_ key: [String], in table: [String], text: String) -> Int? {
        var header: [String] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingPrefix(while: { $0 == " " || $0 == "\t" })
            if line.hasPrefix("[") {
                let inner = line.dropFirst().prefix { $0 != "]" }
                header = inner.split(separator: ".").map { String($0.filter { $0 != " " && $0 != "\t" && $0 != "\"" }) }
                continue
            }
            guard header == table, let first = key.first, line.hasPrefix(first) else { continue }
            if line.dropFirst(first.count).trimmingPrefix(while: { $0 == " " || $0 == "\t" }).hasPrefix("=") { return index + 1 }
        }
        guard table.count > 1, let name = table.last else { return nil }
        return locate([name], in: Array(table.dropLast()), text: text)
    }

    /// The profile to use: `--profile` (`explicit`), else `$CBQ_PROFILE`, else `default` when
    /// the file has one. A named profile the file lacks is an error.
    public func profile(explicit: String?, environment: (String) -> String?) throws(ShellFailure) -> Profile? {
        let named = explicit ?? environment("CBQ_PROFILE").flatMap { $0.isEmpty ? nil : $0 }
        guard let named else { return profiles["default"] }
        guard let profile = profiles[named] else {
            let near = Suggestion.closest(to: named, among: Array(profiles.keys))
            throw ShellFailure(SysExit.usage, "no profile '\(named)' in \(path)",
                               hint: near.map { "did you mean '\($0)'?" } ?? "it has \(profiles.keys.sorted().joined(separator: ", "))")
        }
        return profile
    }
}

extension ConfigFile.Profile {
    /// The profile as command-line options, for a command that runs statements (`run`) or for
    /// `translate` and `explain`: `page_size = 50` is `--page-size 50`, `include = true`
    /// `--include`, `include = false` `--no-include`. `~/` at the start of a path is the home.
    ///
    /// - Parameter given: the command line's own arguments: a target it names (`--region`,
    ///   `--base-url`, `--sandbox`) replaces the profile's, rather than clash with it.
    public func arguments(run: Bool, home: String?, given: [String] = []) -> [String] {
        let namesTarget = Self.namesTarget(given)
        // So does a client secret's source (a profile's file and a typed command would clash).
        let namesSecret = given.contains { argument in
            ["--client-secret-file", "--client-secret-command"].contains { argument == $0 || argument.hasPrefix($0 + "=") }
        }
        // The profile's credentials are for its own target: with another named, they stay behind,
        // as they do on `\connect` (a production token must not go to a staging or mock server).
        let otherTarget = !isTargetInUse(given: given)
        var arguments: [String] = []
        for (key, value) in settings {
            guard let spec = ConfigFile.keys.first(where: { $0.key == key }), run || !spec.run else { continue }
            if namesTarget, key == "region" || key == "base_url" { continue }
            if otherTarget, Self.credentialKeys.contains(key) { continue }
            if namesSecret, key == "client_secret_file" || key == "client_secret_command" { continue }
            // A profile's token file comes after $CASEBOOK_TOKEN; --token-file, before it.
            let option = key == "token_file" ? "--profile-token-file" : "--" + key.replacing("_", with: "-")
            if spec.flag {
                if key == "read_only" || key == "confirm" {
                    if value == "true" { arguments.append(option) }
                } else {
                    arguments.append(value == "true" ? option : "--no-" + key.replacing("_", with: "-"))
                }
                continue
            }
            var text = value
            if key.hasSuffix("_file"), text.hasPrefix("~/"), let home { text = home + text.dropFirst() }
            // `--option=value`: a value may start with '-' (a client id, say).
            arguments.append(option + "=" + text)
        }
        return arguments
    }

    /// The value of a setting, if the profile has it.
    public func value(of key: String) -> String? { settings.first { $0.key == key }?.value }

    public static let credentialKeys: Set<String> = ["token_file", "token_command", "token_url", "client_id", "client_secret_file", "client_secret_command"]

    /// Whether command-line arguments name a target (`--region`, `--base-url`, `--sandbox`).
    public static func namesTarget(_ given: [String]) -> Bool {
        given.contains { argument in ["--region", "--base-url", "--sandbox"].contains { argument == $0 || argument.hasPrefix($0 + "=") } }
    }

    /// Whether the profile's target (and so its credentials) is the one in use: the command line
    /// names none, or names the profile's own: every `--base-url` and `--region` it gives (the
    /// parser keeps the last; a wrapper may pin one and the user type another) is the
    /// profile's, and it names no sandbox.
    public func isTargetInUse(given: [String]) -> Bool {
        Self.namesTarget(given) ? Self.sameTarget(typed: given, region: value(of: "region"), baseURL: value(of: "base_url")) : true
    }

    private static func sameTarget(typed given: [String], region: String?, baseURL: String?) -> Bool {
        func values(of option: String) -> [String] {
            var found: [String] = []
            for (index, argument) in given.enumerated() {
                if argument.hasPrefix(option + "=") { found.append(String(argument.dropFirst(option.count + 1))) }
                if argument == option, index + 1 < given.count { found.append(given[index + 1]) }
            }
            return found
        }
        func trimmed(_ url: String) -> String { var url = url; while url.hasSuffix("/") { url.removeLast() }; return url.lowercased() }
        if given.contains(where: { $0 == "--sandbox" || $0.hasPrefix("--sandbox=") }) { return false }
        let urls = values(of: "--base-url"), regions = values(of: "--region")
        guard !urls.isEmpty || !regions.isEmpty else { return false }
        if !urls.isEmpty { guard let baseURL, urls.allSatisfy({ trimmed($0) == trimmed(baseURL) }) else { return false } }
        if !regions.isEmpty { guard let region, regions.allSatisfy({ $0.lowercased() == region.lowercased() }) else { return false } }
        return true
    }
}
