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
        try await ChildProcess.run(executable, arguments, stdin: stdin, environment: environment)
    }
}
