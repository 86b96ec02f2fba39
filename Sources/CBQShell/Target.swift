#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CBQCore
import CBQRuntime

/// What the shell talks to: built once from the options and used by the script runner, the
/// shell and `translate`/`explain` alike.
///
///     let target = try Target.base(url: "http://127.0.0.1:8080", tokenFile: nil)
///     target.label         // "127.0.0.1", for the prompt: cbq(127.0.0.1)>
///     target.description   // "http://127.0.0.1:8080", for the banner
public struct Target: Sendable, Equatable {
    /// Without a trailing slash, e.g. `https://api.casebook.net`.
    public var baseURL: String
    /// A short name for the prompt: `us`, `ca`, `sandbox` or the host.
    public var label: String
    /// A longer one for the banner and `\region`/`\base`.
    public var description: String
    /// The built-in sandbox: no token needed, any is accepted.
    public var isSandbox: Bool
    public var dialect: Dialect
    /// `--token-file`; else `$CASEBOOK_TOKEN` (see ``TokenPolicy``).
    public var tokenFile: String?

    public static func region(_ region: Region, dialect: Dialect = .guide, tokenFile: String? = nil) -> Target {
        Target(baseURL: region.baseURL, label: region.rawValue, description: "Casebook \(region.displayName), \(region.baseURL)",
               isSandbox: false, dialect: dialect, tokenFile: tokenFile)
    }

    public static func base(url: String, dialect: Dialect = .guide, tokenFile: String? = nil) throws(ShellFailure) -> Target {
        let normalized = try normalize(baseURL: url)
        return Target(baseURL: normalized, label: RequestURL(normalized)?.host ?? "base", description: normalized,
                      isSandbox: false, dialect: dialect, tokenFile: tokenFile)
    }

    /// The built-in sandbox, once it listens at `baseURL`.
    public static func sandbox(at baseURL: String, dialect: Dialect = .guide) -> Target {
        Target(baseURL: baseURL, label: "sandbox", description: "the built-in sandbox at \(baseURL) (generated data)",
               isSandbox: true, dialect: dialect, tokenFile: nil)
    }

    /// An http(s) URL without query, fragment or trailing slash.
    public static func normalize(baseURL url: String) throws(ShellFailure) -> String {
        var url = url
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
            throw ShellFailure(SysExit.usage, "--base-url must start with https:// or http://, got '\(url)'")
        }
        if url.contains("?") || url.contains("#") {
            throw ShellFailure(SysExit.usage, "--base-url cannot have a query or fragment: cbq adds the query")
        }
        while url.hasSuffix("/") { url.removeLast() }
        let host = url.split(separator: "/", maxSplits: 3).dropFirst().first ?? ""
        if host.isEmpty { throw ShellFailure(SysExit.usage, "--base-url has no host: '\(url)'") }
        return url
    }

    /// The planner's options for this target: its base URL and dialect over `options`.
    public func plannerOptions(_ options: PlannerOptions) -> PlannerOptions {
        var options = options
        options.baseURL = baseURL
        options.dialect = dialect
        return options
    }
}

/// Finds the bearer token, and refuses to run where it would be missing or exposed: a real
/// target without a token sends nothing, and a token never goes over plain http except to
/// loopback.
public enum TokenPolicy {
    /// - Parameter environment: reads `CASEBOOK_TOKEN` (the process environment by default).
    public static func credentials(for target: Target, environment: (String) -> String? = processEnvironment)
        throws(ShellFailure) -> FixedToken
    {
        if target.isSandbox { return FixedToken("sandbox") }
        var token: String?
        if let file = target.tokenFile {
            token = try SourceFiles.read(file).trimming(.whitespace)
            if token?.isEmpty == true { throw ShellFailure(SysExit.noPermission, "the token file '\(file)' is empty") }
        } else if let value = environment("CASEBOOK_TOKEN")?.trimming(.whitespace), !value.isEmpty {
            token = value
        }
        guard let url = RequestURL(target.baseURL) else { return FixedToken(token) }
        if token == nil && !url.isLoopback {
            throw ShellFailure(SysExit.noPermission, "no token for \(target.baseURL): nothing was sent",
                               hint: "export CASEBOOK_TOKEN=… or pass --token-file PATH (or try --sandbox)")
        }
        if token != nil && url.scheme == "http" && !url.isLoopback {
            throw ShellFailure(SysExit.noPermission, "refusing to send the token over plain http to \(url.host)", hint: "use an https:// base URL")
        }
        return FixedToken(token)
    }

    /// This process's environment variable `name`, if set.
    public static func processEnvironment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
