// swift-tools-version: 6.1
import PackageDescription

/// Link flags of the release binary on Linux (see the `cbq` target).
let staticRelease = [
    // -static-stdlib exports every symbol of the executable (its static-stdlib-args.lnk says
    // -export-dynamic): 38,000 names whose tables, 3.5 MiB, were read at each start. cbq loads
    // no plugin that would look one up; the crash backtracer reads .symtab, which stays. Taking
    // the export back (after it, so it wins) starts `cbq --version` 8% sooner with 2 MiB less
    // peak memory. .ci/run checks that the table stays small.
    "-static-stdlib", "-Xlinker", "--no-export-dynamic",
    "-lFoundation", "-lCoreFoundation", "-l_FoundationICU", "-l_FoundationCShims", "-l_FoundationCollections",
    "-lFoundationEssentials", "-lFoundationInternationalization",
]

let package = Package(
    name: "cbq",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cbq", targets: ["cbq"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Traits off: the sandbox needs plain HTTP/1 on loopback, and dropping them saves ~30 s a build.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0", traits: []),
        // These come with Hummingbird; named here because the sandbox uses them directly: a
        // ServiceGroup to stop gracefully, a quiet logger, ByteBuffer and HTTP header types.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.20.0"),
        // Profiles live in a TOML file (config.toml); TOMLKit (toml++) parses it with line
        // numbers for errors, and builds in about 12 s.
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // The language: lexer, parser, planner, URL encoding, value semantics. No I/O, no clock.
        .target(
            name: "CBQCore",
            // The stdlib's Double rounding calls libm, which only Foundation would link otherwise.
            linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]
        ),
        // The built-in Casebook-like API server, embeddable and runnable as `cbq sandbox`.
        .target(
            name: "CBQSandbox",
            dependencies: [
                "CBQCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // Running plans: HTTP (AsyncHTTPClient), paging, retries, local evaluation, rendering.
        .target(
            name: "CBQRuntime",
            dependencies: [
                "CBQCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // Its connection error tells "nothing was sent" apart, which decides whether a POST may be retried.
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The shell: the input loop, the compile-and-report path, backslash commands, completion,
        // the target and its token policy, exit statuses. No terminal, no libedit: tested in-process.
        .target(name: "CBQShell", dependencies: ["CBQCore", "CBQRuntime", .product(name: "TOMLKit", package: "TOMLKit")]),
        // libedit, for the REPL's line editing, history and completion.
        .systemLibrary(name: "CLibEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .executableTarget(
            name: "cbq",
            dependencies: [
                "CBQCore",
                "CBQRuntime",
                "CBQSandbox",
                "CBQShell",
                "CLibEdit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // A release binary carries the Swift runtime and Foundation inside it: it starts
            // without resolving them (about 0.015 s of CPU less a run), maps about 4.5 MiB less,
            // and runs on a machine without the Swift toolchain. The Foundation libraries are
            // named because the modules were compiled against the shared Foundation, whose
            // autolink entries leave them out. (Packed relocations, DT_RELR, saved 2 MiB more at
            // start but need glibc 2.36: the binary would not start on Ubuntu 22.04.)
            linkerSettings: [.unsafeFlags(staticRelease, .when(platforms: [.linux], configuration: .release))]
        ),
        // Micro-benchmarks of the pure paths (compile, evaluate), for comparing changes.
        .executableTarget(name: "cbq-bench", dependencies: ["CBQCore", "CBQRuntime", "CBQSandbox"]),
        .testTarget(name: "CBQCoreTests", dependencies: ["CBQCore"]),
        .testTarget(
            name: "CBQSandboxTests",
            dependencies: [
                "CBQSandbox",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(name: "CBQRuntimeTests", dependencies: ["CBQRuntime", "CBQSandbox"]),
        // The shell in-process, against the sandbox's API core through an in-process transport.
        .testTarget(name: "CBQShellTests", dependencies: ["CBQShell", "CBQRuntime", "CBQSandbox"]),
        // Golden holds expected outputs, read at run time from the source tree.
        .testTarget(name: "cbqTests", dependencies: ["CBQCore", "CBQSandbox"], exclude: ["Golden"]),
    ]
)
