import Foundation
#if canImport(Glibc)
import Glibc
#endif
import CBQCore
import CBQRuntime
import CBQSandbox
import Synchronization
import Testing
@testable import CBQShell

/// OAuth 2.0 client credentials against the sandbox's token endpoint, with `--require-oauth`
/// (only tokens it issued, unexpired, are accepted): one token for many requests, a new one
/// after it expires or after a 401, and the token and secret printed nowhere.
@Suite(.timeLimit(.minutes(1)))
struct OAuthTests {
    /// One clock for the sandbox and the client, moved by the test.
    final class Clock: Sendable {
        private let seconds = Mutex(1_800_000_000)
        var now: Int { seconds.withLock { $0 } }
        func advance(_ by: Int) { seconds.withLock { $0 += by } }
    }

    private func sandbox(_ clock: Clock, lifetime: Int = 3600) -> InProcessTransport {
        var options = SandboxOptions()
        options.requireOAuth = true
        options.tokenLifetime = lifetime
        options.clock = { clock.now }
        return InProcessTransport(options: options, origin: "https://api.test")
    }

    private func target(secretFile: String? = nil, secretCommand: String? = nil) throws -> Target {
        var target = try Target.base(url: "https://api.test")
        target.oauth = OAuthClient(tokenURL: "https://api.test/oauth2/token", clientID: "cbq-sandbox", secretFile: secretFile,
                                   secretCommand: secretCommand)
        return target
    }

    /// The bearer tokens the API was sent, in order.
    private func tokensSent(_ transport: InProcessTransport) -> [String] {
        transport.sent.compactMap { request in request.headers.first { $0.name == "Authorization" }?.value }
    }

    @Test func oneTokenServesEveryRequestAndIsPrintedNowhere() async throws {
        let transport = sandbox(Clock())
        let shell = ShellHarness(target: try target(), format: .csv, environment: ["CASEBOOK_CLIENT_SECRET": "sandbox-secret"], transport: transport)
        #expect(await shell.run("SELECT id FROM people.people; SELECT COUNT(*) FROM cases.cases") == 0, "\(shell.errorText)")
        #expect(shell.output.hasPrefix("id\r\nPER-00001\r\n"))
        #expect(transport.api.tokenRequests == 1)
        let tokens = Set(tokensSent(transport))
        #expect(tokens.count == 1)
        let token = try #require(tokens.first).dropFirst("Bearer ".count)
        #expect(token.hasPrefix("sbx-"))
        #expect(!shell.output.contains(token) && !shell.errorText.contains(token))
        // The token request itself: a form to the token URL, with no bearer token.
        let request = try #require(transport.sent.first)
        #expect(request.method == .post && request.url.pathAndQuery == "/oauth2/token")
        #expect(String(decoding: request.body ?? [], as: UTF8.self) == "grant_type=client_credentials&client_id=cbq-sandbox&client_secret=sandbox-secret")
        #expect(!request.headers.contains { $0.name == "Authorization" })
    }

    @Test func aNewTokenIsFetchedShortlyBeforeTheOldOneExpires() async throws {
        let clock = Clock()
        let transport = sandbox(clock, lifetime: 600)
        let credentials = OAuthClientCredentials(tokenURL: RequestURL("https://api.test/oauth2/token")!, clientID: "cbq-sandbox",
                                                 secret: "sandbox-secret", transport: transport, now: { Double(clock.now) })
        let first = try await credentials.token(refresh: false)
        #expect(try await credentials.token(refresh: false) == first)
        clock.advance(500)  // within a minute of the end: fetched anew, before the API refuses it
        #expect(try await credentials.token(refresh: false) == first)
        clock.advance(50)
        let second = try await credentials.token(refresh: false)
        #expect(second != first)
        #expect(await credentials.fetches == 2)
        #expect(transport.api.tokenRequests == 2)
    }

    @Test func aTokenTheAPIRefusesIsReplacedOnceAndTheRequestRetried() async throws {
        let transport = sandbox(Clock())
        let shell = ShellHarness(target: try target(), format: .csv, environment: ["CASEBOOK_CLIENT_SECRET": "sandbox-secret"], transport: transport)
        #expect(await shell.run("SELECT COUNT(*) FROM cases.cases") == 0)
        transport.api.revokeTokens()
        #expect(await shell.run("SELECT COUNT(*) FROM providers.providers") == 0)
        #expect(shell.output == "count\r\n600\r\ncount\r\n60\r\n")
        #expect(transport.api.tokenRequests == 2)
        #expect(Set(tokensSent(transport)).count == 2)
    }

    @Test func aWrongSecretIsANamedErrorThatShowsNoSecret() async throws {
        let transport = sandbox(Clock())
        let shell = ShellHarness(target: try target(), environment: ["CASEBOOK_CLIENT_SECRET": "not-the-secret"], transport: transport)
        #expect(await shell.run("SELECT COUNT(*) FROM cases.cases") == SysExit.noPermission)
        #expect(shell.errorText.contains("error: no access token: the token URL https://api.test/oauth2/token answered 401 (invalid_client: "))
        #expect(!shell.errorText.contains("not-the-secret"))
        #expect(transport.sent.allSatisfy { $0.url.pathAndQuery == "/oauth2/token" })
    }

    @Test func aSecretFileOthersCanReadIsRefused() async throws {
        let path = "/tmp/cbq-secret-\(UInt64.random(in: 0...UInt64.max))"
        defer { unlinkFile(path) }
        try writeText(path, "sandbox-secret\n")
        chmod(path, 0o644)
        let transport = sandbox(Clock())
        let shell = ShellHarness(target: try target(secretFile: path), transport: transport)
        #expect(await shell.run("SELECT COUNT(*) FROM cases.cases") == SysExit.noPermission)
        #expect(shell.errorText.contains("error: the client secret file '\(path)' can be read by others than its owner: not used"))
        #expect(transport.sent.isEmpty)
        chmod(path, 0o600)
        let owned = ShellHarness(target: try target(secretFile: path), format: .csv, transport: transport)
        #expect(await owned.run("SELECT COUNT(*) FROM cases.cases") == 0)
        #expect(owned.output == "count\r\n600\r\n")
    }

    /// `client_secret_command`: the command's output is the secret, read when a token is needed;
    /// a failing command sends nothing and shows no output of its.
    @Test func aSecretCommandsOutputIsTheSecret() async throws {
        let transport = sandbox(Clock())
        let shell = ShellHarness(target: try target(secretCommand: "printf '  sandbox-secret\\n'"), format: .csv, transport: transport)
        #expect(await shell.run("SELECT COUNT(*) FROM cases.cases") == 0, "\(shell.errorText)")
        #expect(shell.output == "count\r\n600\r\n")
        let form = String(decoding: transport.sent.first?.body ?? [], as: UTF8.self)
        #expect(form.hasSuffix("client_secret=sandbox-secret"))
        let failing = ShellHarness(target: try target(secretCommand: "echo sandbox-secret; exit 3"), transport: sandbox(Clock()))
        #expect(await failing.run("SELECT COUNT(*) FROM cases.cases") == SysExit.noPermission)
        #expect(failing.errorText.contains("the client secret command exited with status 3; nothing was sent"))
        #expect(!failing.errorText.contains("sandbox-secret"))
    }

    /// A plain bearer token is no longer enough for a sandbox that requires OAuth.
    @Test func theSandboxCanRequireItsOwnTokens() async {
        let transport = sandbox(Clock())
        let shell = ShellHarness(target: try! Target.base(url: "https://api.test"), environment: ["CASEBOOK_TOKEN": "made-up"], transport: transport)
        #expect(await shell.run("SELECT COUNT(*) FROM cases.cases") == SysExit.noPermission)
        #expect(shell.errorText.contains("the access token is unknown or expired"))
    }
}

/// `--token-command`: the command's output is the token, run once, and again after a 401.
@Suite struct TokenCommandTests {
    @Test func theCommandsOutputIsTheTokenAndItRunsAgainOnlyWhenAsked() async throws {
        let count = "/tmp/cbq-token-runs-\(UInt64.random(in: 0...UInt64.max))"
        defer { unlinkFile(count) }
        let provider = CommandToken("echo run >> \(count); printf '  tok-from-cmd\\n'")
        #expect(try await provider.token(refresh: false) == "tok-from-cmd")
        #expect(try await provider.token(refresh: false) == "tok-from-cmd")
        #expect(await provider.runs == 1)
        _ = try await provider.token(refresh: true)
        #expect(await provider.runs == 2)
        #expect(try String(contentsOfFile: count) == "run\nrun\n")
    }

    @Test func aFailingOrSilentCommandSendsNothing() async throws {
        var target = try Target.base(url: "https://api.test")
        target.tokenCommand = "exit 3"
        let transport = InProcessTransport(origin: "https://api.test")
        let shell = ShellHarness(target: target, transport: transport)
        #expect(await shell.run("SELECT COUNT(*) FROM cases.cases") == SysExit.noPermission)
        #expect(shell.errorText.contains("error: no access token: the token command exited with status 3; nothing was sent"))
        target.tokenCommand = "true"
        let silent = ShellHarness(target: target, transport: transport)
        #expect(await silent.run("SELECT COUNT(*) FROM cases.cases") == SysExit.noPermission)
        #expect(silent.errorText.contains("the token command printed no token"))
        #expect(transport.sent.isEmpty)
        target.tokenCommand = "printf secret-token"
        let working = ShellHarness(target: target, format: .csv, transport: transport)
        #expect(await working.run("SELECT COUNT(*) FROM cases.cases") == 0)
        #expect(transport.sent.first?.headers.contains { $0.name == "Authorization" && $0.value == "Bearer secret-token" } == true)
        #expect(!working.output.contains("secret-token") && !working.errorText.contains("secret-token"))
    }
}
