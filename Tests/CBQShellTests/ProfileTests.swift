#if canImport(Glibc)
import Glibc
#endif
import CBQCore
import Testing
@testable import CBQShell

/// config.toml: profiles, their selection, and what they become on the command line.
struct ProfileTests {
    static let text = """
        # used when no profile is named
        [profiles.default]
        region = "us"
        token_url = "https://tenant.example/oauth2/token"
        client_id = "cbq"
        client_secret_file = "~/.config/cbq/secret"

        [profiles.staging]
        base_url = "https://staging.example.org"
        dialect = "drf"
        format = "csv"
        read_only = true
        include = false
        page_size = 50
        token_file = "~/.config/cbq/staging-token"
        """

    @Test func profilesBecomeOptionsThatTheCommandLineOverrides() throws {
        let file = try ConfigFile.parse(Self.text, path: "config.toml")
        let staging = try #require(file.profiles["staging"])
        #expect(staging.arguments(run: true, home: "/home/ada") == [
            "--base-url=https://staging.example.org", "--dialect=drf", "--format=csv", "--no-include", "--page-size=50",
            "--read-only", "--token-file=/home/ada/.config/cbq/staging-token",
        ])
        // translate and explain take the target's options only.
        #expect(staging.arguments(run: false, home: "/home/ada") == [
            "--base-url=https://staging.example.org", "--dialect=drf", "--no-include", "--page-size=50",
        ])
        // A target on the command line replaces the profile's instead of clashing with it.
        #expect(staging.arguments(run: false, home: nil, given: ["--sandbox"]) == ["--dialect=drf", "--no-include", "--page-size=50"])
        #expect(try #require(file.profiles["default"]).arguments(run: false, home: nil, given: ["--base-url=https://x.test"]).isEmpty)
        #expect(try file.profile(explicit: nil, environment: { _ in nil })?.name == "default")
    }

    /// `--profile` wins over `$CBQ_PROFILE`, which wins over `default`.
    @Test func theProfileInUse() throws {
        let file = try ConfigFile.parse(Self.text, path: "config.toml")
        let environment: (String) -> String? = { $0 == "CBQ_PROFILE" ? "staging" : nil }
        #expect(try file.profile(explicit: nil, environment: environment)?.name == "staging")
        #expect(try file.profile(explicit: "default", environment: environment)?.name == "default")
        #expect(throws: ShellFailure(SysExit.usage, "no profile 'stagin' in config.toml", hint: "did you mean 'staging'?")) {
            _ = try file.profile(explicit: "stagin", environment: environment)
        }
    }

    @Test(arguments: [
        ("[profiles.x]\npage_size = = 3\n", "config.toml:2:13: Error while parsing value: could not determine value type"),
        ("[profiles.x]\npage_sise = 3\n", "config.toml: profile 'x' has an unknown key 'page_sise'"),
        ("[profiles.x]\ninclude = \"yes\"\n", "config.toml: profiles.x.include must be true or false"),
        ("[settings]\na = 1\n", "config.toml: unknown section 'settings'"),
        ("[profiles.x.dialect]\nequal = \"filter[{field}]\"\n", "config.toml: profiles.x.dialect must be a string, a number or true/false"),
    ])
    func aConfigErrorSaysWhereAndWhat(text: String, message: String) {
        do {
            _ = try ConfigFile.parse(text, path: "config.toml")
            Issue.record("\(text) must fail")
        } catch {
            #expect(error.message == message)
        }
    }

    @Test func aConfigFileOthersCanReadIsRefused() throws {
        let path = "/tmp/cbq-config-\(UInt64.random(in: 0...UInt64.max)).toml"
        defer { unlinkFile(path) }
        try writeText(path, Self.text)
        #expect(try ConfigFile.load(path)?.profiles.count == 2)
        chmod(path, 0o640)
        #expect(throws: ShellFailure(SysExit.noPermission, "the config file '\(path)' can be read by others than its owner: not used",
                                     hint: "chmod 600 '\(path)', as .pgpass must be")) { _ = try ConfigFile.load(path) }
        #expect(try ConfigFile.load("/nonexistent/config.toml") == nil)
    }
}
