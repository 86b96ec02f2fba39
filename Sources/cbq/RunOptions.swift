import ArgumentParser
import CBQCore
import CBQRuntime
import CBQShell

/// How queries run: the target's token, output, paging guards, timeouts.
struct RunOptions: ParsableArguments {
    @Flag(help: "Start the built-in sandbox API on a free loopback port and query it.")
    var sandbox = false

    @Option(name: .customLong("sandbox-latency-ms"), help: ArgumentHelp("With --sandbox: delay each response (to try progress and Ctrl-C).", valueName: "ms"))
    var sandboxLatency = 0

    @Option(name: .customLong("token-file"), help: ArgumentHelp("Read the bearer token from this file (else $CASEBOOK_TOKEN).", valueName: "path"))
    var tokenFile: String?

    /// A profile's `token_file`: after `$CASEBOOK_TOKEN`, where `--token-file` is before it.
    @Option(name: .customLong("profile-token-file"), help: .hidden)
    var profileTokenFile: String?

    @Option(name: .customLong("token-command"),
            help: ArgumentHelp("Run this command (with /bin/sh) for the token, again after a 401, as git runs credential helpers.",
                               valueName: "command"))
    var tokenCommand: String?

    @Option(name: .customLong("token-url"),
            help: ArgumentHelp("OAuth client credentials: the token URL (Casebook's is <callback URL>/oauth2/token).", valueName: "url"))
    var tokenURL: String?

    @Option(name: .customLong("client-id"), help: ArgumentHelp("OAuth client credentials: the client id.", valueName: "id"))
    var clientID: String?

    @Option(name: .customLong("client-secret-file"),
            help: ArgumentHelp("OAuth client credentials: read the client secret from this file, mode 600 (else $CASEBOOK_CLIENT_SECRET).",
                               valueName: "path"))
    var clientSecretFile: String?

    @Option(name: .customLong("client-secret-command"),
            help: ArgumentHelp("OAuth client credentials: run this command (with /bin/sh) for the client secret.", valueName: "command"))
    var clientSecretCommand: String?

    @Option(help: "Output format: table, vertical, json, ndjson, csv or markdown.")
    var format: OutputFormat = .table

    @Option(name: .customLong("max-pages"), help: "Stop (and say so) after this many pages of one query.")
    var maxPages = 10_000

    @Option(name: .customLong("max-local-rows"), help: "Stop (and say so) when GROUP BY or ORDER BY would hold more groups or rows in memory.")
    var maxLocalRows = 1_000_000

    @Option(help: "Pages fetched at once when the page count is known.")
    var concurrency = 8

    @Option(help: "Retries of a request after 429, 502, 503, 504 or a connection failure.")
    var retries = 4

    @Option(name: .customLong("connect-timeout"), help: ArgumentHelp("Seconds to wait for a connection.", valueName: "s"))
    var connectTimeout = 10

    @Option(help: ArgumentHelp("Seconds to wait for a whole response.", valueName: "s"))
    var timeout = 60

    @Flag(name: .customLong("continue-on-error"), help: "Run a script's remaining statements after one fails.")
    var continueOnError = false

    @Flag(name: .customLong("dry-run"), help: "INSERT, UPDATE and DELETE: run the reads that find the rows, print every write request, send none.")
    var dryRun = false

    @Flag(name: .customLong("read-only"), help: "Refuse every INSERT, UPDATE and DELETE before anything is sent.")
    var readOnly = false

    @Flag(help: "Ask on the terminal before a write of more than one row and before every DELETE (the shell always asks).")
    var confirm = false

    func validate() throws {
        if maxPages < 1 { throw ValidationError("--max-pages must be 1 or more") }
        // The sort numbers its rows with 32-bit indices.
        if maxLocalRows < 1 || maxLocalRows > 1_000_000_000 { throw ValidationError("--max-local-rows must be between 1 and 1000000000") }
        if !(1...64).contains(concurrency) { throw ValidationError("--concurrency must be from 1 to 64") }
        if !(0...20).contains(retries) { throw ValidationError("--retries must be from 0 to 20") }
        if connectTimeout < 1 || timeout < 1 { throw ValidationError("timeouts must be 1 second or more") }
        if sandboxLatency < 0 { throw ValidationError("--sandbox-latency-ms cannot be negative") }
        if sandboxLatency > 0 && !sandbox { throw ValidationError("--sandbox-latency-ms goes with --sandbox") }
        if (tokenURL == nil) != (clientID == nil) { throw ValidationError("OAuth client credentials need both --token-url and --client-id") }
        if clientSecretFile != nil && tokenURL == nil { throw ValidationError("--client-secret-file goes with --token-url and --client-id") }
        if clientSecretCommand != nil && tokenURL == nil { throw ValidationError("--client-secret-command goes with --token-url and --client-id") }
        if clientSecretCommand != nil && clientSecretFile != nil { throw ValidationError("give --client-secret-file or --client-secret-command, not both") }
    }

    /// The token file to read: `--token-file`, else a profile's `token_file` unless
    /// `$CASEBOOK_TOKEN` is set (which then counts, as the order of sources says).
    func chosenTokenFile(environment: (String) -> String? = TokenPolicy.processEnvironment) -> String? {
        if let tokenFile { return tokenFile }
        if let token = environment("CASEBOOK_TOKEN"), !token.trimming(.whitespace).isEmpty { return nil }
        return profileTokenFile
    }

    /// The OAuth client, when --token-url and --client-id are given.
    var oauthClient: OAuthClient? {
        guard let tokenURL, let clientID else { return nil }
        return OAuthClient(tokenURL: tokenURL, clientID: clientID, secretFile: clientSecretFile, secretCommand: clientSecretCommand)
    }

    /// Guards and retries; the credentials come from the target, statement by statement.
    func executionOptions() -> ExecutionOptions {
        var options = ExecutionOptions()
        options.maxPages = maxPages
        options.maxLocalRows = maxLocalRows
        options.concurrency = concurrency
        options.retry.maxAttempts = retries + 1
        return options
    }
}

extension OutputFormat: ExpressibleByArgument {}
