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
    /// `--token-command`: run for the token when neither of those gives one.
    public var tokenCommand: String?
    /// OAuth 2.0 client credentials, used when none of those gives a token.
    public var oauth: OAuthClient?
    /// `$CASEBOOK_TOKEN` is not read: a profile switched to with `\connect` names credentials
    /// of its own, and the environment's token was for the target the shell started with.
    public var ignoresEnvironmentToken = false

    /// Whether this target names its own credentials (a token file, a command, OAuth).
    public var hasOwnCredentials: Bool { tokenFile != nil || tokenCommand != nil || oauth != nil }

    public static func region(_ region: Region, dialect: Dialect = .guide, tokenFile: String? = nil) -> Target {
        Target(baseURL: region.baseURL, label: region.rawValue, description: "Casebook \(region.displayName), \(region.baseURL)",
               isSandbox: false, dialect: dialect, tokenFile: tokenFile, tokenCommand: nil, oauth: nil)
    }

    public static func base(url: String, dialect: Dialect = .guide, tokenFile: String? = nil) throws(ShellFailure) -> Target {
        let normalized = try normalize(baseURL: url)
        return Target(baseURL: normalized, label: RequestURL(normalized)?.host ?? "base", description: normalized,
                      isSandbox: false, dialect: dialect, tokenFile: tokenFile, tokenCommand: nil, oauth: nil)
    }

    /// The built-in sandbox, once it listens at `baseURL`.
    public static func sandbox(at baseURL: String, dialect: Dialect = .guide) -> Target {
        Target(baseURL: baseURL, label: "sandbox", description: "the built-in sandbox at \(baseURL) (generated data)",
               isSandbox: true, dialect: dialect, tokenFile: nil, tokenCommand: nil, oauth: nil)
    }

    /// An http(s) URL without query, fragment or trailing slash.
    public static func normalize(baseURL url: String) throws(ShellFailure) -> String {
        // First, and not quoted: what is before an @ in the authority is a password.
        let afterScheme = url.range(of: "//").map { url[$0.upperBound...] } ?? url[...]
        if afterScheme.prefix(while: { $0 != "/" && $0 != "?" && $0 != "#" }).contains("@") {
            throw ShellFailure(SysExit.usage, "--base-url has a user name or password in it: not used", hint: "credentials go in a token, never in the URL")
        }
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
        guard RequestURL(url) != nil, !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else {
            throw ShellFailure(SysExit.usage, "--base-url is not a URL cbq can send to: '\(VisibleText.of(url))'",
                               hint: "https://HOST[:PORT][/PATH], a port from 1 to 65535, no spaces")
        }
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
    /// The target's credentials, in this order: `--token-file`, `$CASEBOOK_TOKEN`, then OAuth
    /// client credentials (``Target/oauth``), whose secret comes from `--client-secret-file`
    /// (owner-only, as `.pgpass` must be) or `$CASEBOOK_CLIENT_SECRET`.
    ///
    /// - Parameter environment: reads `CASEBOOK_TOKEN` (the process environment by default).
    /// - Parameter transport: what an OAuth provider posts to the token URL with.
    public static func credentials(for target: Target, environment: (String) -> String? = processEnvironment,
                                   transport: (any HTTPTransport)? = nil) throws(ShellFailure) -> any CredentialsProvider
    {
        if target.isSandbox { return FixedToken("sandbox") }
        var token: String?
        if let file = target.tokenFile {
            try ownerOnly(file, what: "token file")
            token = try SourceFiles.read(file).trimming(.whitespace)
            if token?.isEmpty == true { throw ShellFailure(SysExit.noPermission, "the token file '\(file)' is empty") }
            try checked(token!, from: "the token file '\(file)'")
        } else if !target.ignoresEnvironmentToken, let value = environment("CASEBOOK_TOKEN")?.trimming(.whitespace), !value.isEmpty {
            try checked(value, from: "$CASEBOOK_TOKEN")
            token = value
        }
        guard let url = RequestURL(target.baseURL) else { return FixedToken(token) }
        let someToken = token != nil || target.tokenCommand != nil || (target.oauth != nil && transport != nil)
        if !someToken && !url.isLoopback {
            throw ShellFailure(SysExit.noPermission, "no token for \(target.baseURL): nothing was sent",
                               hint: "export CASEBOOK_TOKEN=… or pass --token-file PATH, or --token-url and --client-id for OAuth (or try --sandbox)")
        }
        // Whatever its source, a token goes over plain http to loopback only.
        if someToken && url.scheme == "http" && !url.isLoopback {
            throw ShellFailure(SysExit.noPermission, "refusing to send the token over plain http to \(url.host)", hint: "use an https:// base URL")
        }
        if token == nil, let command = target.tokenCommand { return CommandToken(command) }
        if token == nil, let oauth = target.oauth, let transport { return try oauth.credentials(environment: environment, transport: transport) }
        return FixedToken(token)
    }

    /// A credential as read: registered to be kept out of what cbq prints, or refused, without
    /// quoting it, where it cannot be one (a `pass` entry's second line would go into the
    /// Authorization header, and HTTP's refusal quotes the header).
    static func checked(_ value: String, from source: String) throws(ShellFailure) {
        if let problem = Secrets.problem(in: value) {
            throw ShellFailure(SysExit.noPermission, "\(source) has \(problem): it is not one token; nothing was sent",
                               hint: "a token or secret is one line; for a pass entry with more, use --token-command 'pass show NAME | head -n 1'")
        }
        Secrets.register(value)
    }

    /// A file of credentials must be readable by its owner only, as `.pgpass` must be.
    static func ownerOnly(_ path: String, what: String) throws(ShellFailure) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw ShellFailure(SysExit.noInput, "cannot read '\(path)': \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw ShellFailure(SysExit.noPermission, "the \(what) '\(path)' can be read by others than its owner: not used",
                               hint: "chmod 600 '\(path)', as .pgpass must be")
        }
    }

    /// This process's environment variable `name`, if set.
    public static func processEnvironment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}

/// `--token-command CMD`: runs CMD with `/bin/sh -c`, as git runs its credential helpers; its
/// standard output, trimmed, is the token (never shown). It runs once, and again after a 401,
/// so a command that knows how to renew a token is asked to.
public actor CommandToken: CredentialsProvider {
    public let command: String
    private var cached: String?
    /// Times the command ran, for tests.
    public private(set) var runs = 0

    public init(_ command: String) { self.command = command }

    public func token(replacing refused: String) async throws -> String? {
        if let cached, cached != refused { return cached }  // renewed already
        return try await token(refresh: true)
    }

    public func token(refresh: Bool) async throws -> String? {
        if !refresh, let cached { return cached }
        runs += 1
        let token = try runCredentialCommand(command, what: "token")
        cached = token
        return token
    }
}

/// Runs `command` with `/bin/sh -c` and returns its standard output, trimmed: a token or a
/// secret, never shown. A failure or an empty output is an error that says nothing was sent.
func runCredentialCommand(_ command: String, what: String) throws(CredentialsError) -> String {
    guard let stream = popen(command, "r") else { throw CredentialsError("could not run the \(what) command") }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = fread(&buffer, 1, buffer.count, stream)
        if count <= 0 { break }
        bytes.append(contentsOf: buffer[0..<count])
    }
    let status = pclose(stream)
    guard status == 0 else { throw CredentialsError("the \(what) command exited with status \(status >> 8); nothing was sent") }
    let output = String(decoding: bytes, as: UTF8.self).trimming(.whitespace)
    guard !output.isEmpty else { throw CredentialsError("the \(what) command printed no \(what); nothing was sent") }
    if let problem = Secrets.problem(in: output) {
        throw CredentialsError("the \(what) command printed \(problem): it is not one \(what); nothing was sent "
                               + "(for a pass entry with more lines: pass show NAME | head -n 1)")
    }
    Secrets.register(output)
    return output
}

/// OAuth 2.0 client credentials for a target: where to ask for tokens, as whom, and where the
/// secret is (never the secret itself, which is read only when a token is needed).
public struct OAuthClient: Sendable, Equatable {
    /// Casebook's is per tenant: `<callback URL>/oauth2/token`.
    public var tokenURL: String
    public var clientID: String
    /// `--client-secret-file`; else `--client-secret-command`; else `$CASEBOOK_CLIENT_SECRET`.
    public var secretFile: String?
    /// `--client-secret-command`: its output is the secret (`pass show casebook/secret`).
    public var secretCommand: String?

    public init(tokenURL: String, clientID: String, secretFile: String? = nil, secretCommand: String? = nil) {
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.secretFile = secretFile
        self.secretCommand = secretCommand
    }

    /// The provider, once the token URL and the secret pass the rules: https (or loopback), a
    /// secret file readable by its owner only.
    func credentials(environment: (String) -> String?, transport: any HTTPTransport) throws(ShellFailure) -> OAuthClientCredentials {
        guard let url = RequestURL(tokenURL), url.scheme == "https" || (url.scheme == "http" && url.isLoopback) else {
            throw ShellFailure(SysExit.usage, "the token URL must be https:// (or http:// on loopback), got '\(tokenURL)'")
        }
        let secret: String
        let source: String
        if let secretFile {
            try TokenPolicy.ownerOnly(secretFile, what: "client secret file")
            secret = try SourceFiles.read(secretFile).trimming(.whitespace)
            source = "the client secret file '\(secretFile)'"
        } else if let secretCommand {
            do {
                secret = try runCredentialCommand(secretCommand, what: "client secret")
            } catch {
                throw ShellFailure(SysExit.noPermission, error.description)
            }
            source = "the client secret command's output"
        } else {
            secret = environment("CASEBOOK_CLIENT_SECRET")?.trimming(.whitespace) ?? ""
            source = "$CASEBOOK_CLIENT_SECRET"
        }
        guard !secret.isEmpty else {
            throw ShellFailure(SysExit.noPermission, "no client secret for \(clientID): nothing was sent",
                               hint: "pass --client-secret-file PATH (mode 600) or --client-secret-command CMD, or export CASEBOOK_CLIENT_SECRET=…")
        }
        try TokenPolicy.checked(secret, from: source)
        return OAuthClientCredentials(tokenURL: url, clientID: clientID, secret: secret, transport: transport)
    }
}
