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
            "--read-only", "--profile-token-file=/home/ada/.config/cbq/staging-token",
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

    /// A profile's credentials are for its own target: a command line that names another keeps
    /// its other settings (read_only among them) and leaves the credentials behind. Before, the
    /// default profile's OAuth token went to whatever --base-url was typed (found by a review).
    @Test func aProfilesCredentialsStayWithItsTarget() throws {
        let file = try ConfigFile.parse(Self.text, path: "config.toml")
        let staging = try #require(file.profiles["staging"])
        #expect(staging.arguments(run: true, home: "/h", given: ["--base-url", "http://127.0.0.1:9"]) == [
            "--dialect=drf", "--format=csv", "--no-include", "--page-size=50", "--read-only",
        ])
        #expect(staging.arguments(run: true, home: "/h", given: ["--sandbox"]).contains("--read-only"))
        #expect(!staging.arguments(run: true, home: "/h", given: ["--sandbox"]).contains { $0.hasPrefix("--profile-token-file") })
        // The same target, spelt on the command line: its credentials are the profile's.
        #expect(staging.arguments(run: true, home: "/h", given: ["--base-url=https://staging.example.org/"]).contains("--profile-token-file=/h/.config/cbq/staging-token"))
        // Every --base-url counts (the parser keeps the last: a wrapper may pin one, the user type another).
        #expect(!staging.arguments(run: true, home: "/h", given: ["--base-url", "https://staging.example.org", "--base-url", "http://127.0.0.1:9"])
            .contains { $0.hasPrefix("--profile-token-file") })
        let main = try #require(file.profiles["default"])
        #expect(main.arguments(run: true, home: "/h", given: ["--region", "ca"]).isEmpty)
        #expect(main.arguments(run: true, home: "/h", given: ["--region=US"]) == [
            "--client-id=cbq", "--client-secret-file=/h/.config/cbq/secret", "--token-url=https://tenant.example/oauth2/token",
        ])
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
        ("[profiles.x]\npage_sise = 3\n", "config.toml:2: profile 'x' has an unknown key 'page_sise'"),
        ("[profiles.x]\nregion = \"us\"\n\ninclude = \"yes\"\n", "config.toml:4: profiles.x.include must be true or false"),
        ("[settings]\na = 1\n", "config.toml: unknown section 'settings'"),
        ("[profiles.x]\nformat = [1]\n", "config.toml:2: profiles.x.format must be a string, a number or true/false"),
        // A dialect table's errors name the key, and its line.
        ("[profiles.x.dialect]\nequal = \"filter[{field}]\"\noperater = \"filter[{field}][{op}]\"\n",
         "config.toml:3: profiles.x.dialect.operater is not a dialect's key"),
        ("[profiles.x.dialect]\noperator = \"filter[{field}]\"\n",
         "config.toml:2: profiles.x.dialect.operator must be a parameter name with {field} and {op}, like filter[{field}][{op}]; got 'filter[{field}]'"),
        ("[profiles.x.dialect]\nequal = \"filter[{field}\"\n",
         "config.toml:2: profiles.x.dialect.equal must be a parameter name with {field}, like filter[{field}]; got 'filter[{field}'"),
        ("[profiles.x.dialect]\nnull = \"filter[{field}][isnull]\"\n",
         "config.toml:2: profiles.x.dialect.null must be a whole parameter with a {field} hole, like filter[{field}.isnull]=true; got 'filter[{field}][isnull]'"),
        ("[profiles.x.dialect]\noperators = { gt = \"gt\", gte = \"gte\" }\n", "config.toml:2: profiles.x.dialect.operators.gte is not an operator"),
        ("[profiles.x.dialect]\nlike = { icontains = \"icontains\" }\n", "config.toml:2: profiles.x.dialect.like.icontains is not a pattern"),
        ("[profiles.x.dialect]\npast_end = \"never\"\n", "config.toml:2: profiles.x.dialect.past_end is \"404\" or \"empty\", not 'never'"),
        ("[profiles.x.dialect]\ntotal = \"pagination.count\"\n",
         "config.toml:2: profiles.x.dialect.total names a member of meta, like meta.total or meta.pagination.count; got 'pagination.count'"),
        ("[profiles.x.dialect]\npreset = \"django\"\n", "config.toml:2: profiles.x.dialect.preset names no preset: 'django'"),
        ("[profiles.x.dialect]\noperators = { gt = \"gt\", ge = \"gt\" }\n",
         "config.toml:2: profiles.x.dialect.operators spells 'gt', which operators spells too"),
        ("[profiles.x.dialect]\nequal = \"filter[{name}]\"\n",
         "config.toml:2: profiles.x.dialect.equal must be a parameter name with {field}, like filter[{field}]; got 'filter[{name}]'"),
        ("[profiles.x.dialect]\nmax_page_size = 0\n", "config.toml:2: profiles.x.dialect.max_page_size must be a whole number from 1"),
        ("[profiles.x]\ndialect = { page_number = \"page\", page_size = \"page\" }\n",
         "config.toml:2: profiles.x.dialect.page_size must differ from page_number"),
    ])
    func aConfigErrorSaysWhereAndWhat(text: String, message: String) {
        do {
            _ = try ConfigFile.parse(text, path: "config.toml")
            Issue.record("\(text) must fail")
        } catch {
            #expect(error.message == message)
        }
    }

    /// The issue's table, with the two lookups django-filter has beyond it, is the drf preset
    /// exactly; a profile that defines it names it as its dialect.
    @Test func aDialectTableIsADialect() throws {
        let text = """
            [profiles.mydrf.dialect]            # a dialect defined in the file
            equal = "filter[{field}]"
            operator = "filter[{field}.{op}]"
            operators = { gt = "gt", ge = "gte", lt = "lt", le = "lte" }
            like = { exact = "iexact", contains = "icontains", starts_with = "istartswith", ends_with = "iendswith" }
            in = "in"                           # IN as one comma list; omit to evaluate IN locally
            null = "filter[{field}.isnull]=true"
            not_null = "filter[{field}.isnull]=false"
            page_number = "page[number]"
            page_size = "page[size]"
            total = "meta.pagination.count"
            past_end = "404"                    # or "empty"
            trailing_slash = false
            include = false

            [profiles.fewer]
            dialect = { preset = "drf", max_page_size = 50, like = false, include = true, sort = "off" }

            [profiles.bare.dialect]
            equal = "q[{field}]"
            """
        let file = try ConfigFile.parse(text, path: "config.toml")
        let mydrf = try #require(file.profiles["mydrf"])
        #expect(mydrf.dialect == .drf)
        #expect(mydrf.arguments(run: false, home: nil) == ["--dialect=profiles.mydrf.dialect"])
        var fewer = Dialect.drf
        fewer.maxPageSize = 50
        fewer.like = .local
        fewer.include = true
        fewer.sort = .off
        #expect(file.profiles["fewer"]?.dialect == fewer)
        // Without a preset, nothing is pushed that the table does not spell.
        let bare = try #require(file.profiles["bare"]?.dialect)
        #expect(FilterOperator.allCases.filter(bare.supports) == [.equal])
        #expect(bare.isNull == nil && bare.isNotNull == nil && bare.inList == nil)
        #expect(bare.filterParameter("city", .equal, "Boise").formatted() == "q[city]=Boise")
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
