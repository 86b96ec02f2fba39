import Foundation

/// Runs the built `cbq` executable, as a user would from a shell.
struct CLI {
    /// `cbq` sits beside the test bundle in the build folder.
    static let executable: URL = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = bundle.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("cbq").path), folder.path != "/" {
            folder.deleteLastPathComponent()
        }
        return folder.appendingPathComponent("cbq")
    }()

    static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
                    executable: URL = CLI.executable) async throws -> ChildProcess.Result {
        // No user's config.toml or profile reaches a test unless it sets its own.
        // The cache folder cannot be made (not even by root, as under CI): no run learns from another's.
        let isolated = ["XDG_CONFIG_HOME": "/nonexistent/cbq-tests", "XDG_CACHE_HOME": "/dev/null/cbq-tests", "CBQ_PROFILE": ""]
            .merging(environment) { $1 }
        return try await ChildProcess.run(executable, pinned(arguments), stdin: stdin, environment: isolated)
    }

    /// The day every sandbox test runs on: its data is current to the day it was generated
    /// for, so outputs stay the same whatever today is (an argument list that says `--now`
    /// keeps its own).
    static let today = "2026-11-15T00:00:00Z"

    static func pinned(_ arguments: [String]) -> [String] {
        guard !arguments.contains("--now") else { return arguments }
        if let index = arguments.firstIndex(of: "--sandbox") { return Array(arguments[...index]) + ["--now", today] + arguments[(index + 1)...] }
        if arguments.first == "sandbox" { return ["sandbox", "--now", today] + arguments.dropFirst() }
        return arguments
    }
}

/// A config folder (`XDG_CONFIG_HOME`) holding `cbq/config.toml` with `text`, owner-only, as
/// cbq requires; the caller removes the folder.
func configFolder(_ text: String) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cbq-config-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder.appendingPathComponent("cbq"), withIntermediateDirectories: true)
    let file = folder.appendingPathComponent("cbq/config.toml")
    try text.write(to: file, atomically: true, encoding: .utf8)
    chmod(file.path, 0o600)
    return folder
}
