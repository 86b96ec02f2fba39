import Foundation

/// Runs cbq in a real terminal (a tmux pane) so tests can type keys and read the screen, as a
/// person would.
final class TerminalSession {
    let name = "cbq-test-\(UUID().uuidString.prefix(8))"
    let stateFolder: URL
    /// Whether the session made its state folder (and so removes it).
    private let ownsStateFolder: Bool

    /// - Parameters:
    ///   - stateFolder: `XDG_STATE_HOME` (the history file lives there); by default a new one,
    ///     removed with the session.
    ///   - inShell: run cbq from an interactive bash, which has job control (Ctrl-Z, `fg`).
    private init(_ arguments: [String], stateFolder: URL?, inShell: Bool, configFolder: URL?, environment: [String: String]) {
        self.stateFolder = stateFolder ?? FileManager.default.temporaryDirectory.appendingPathComponent("cbq-state-\(UUID().uuidString)")
        ownsStateFolder = stateFolder == nil
        // The config file is the test's, never the user's.
        let config = configFolder?.path ?? "/nonexistent/cbq-tests"
        let variables = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quote($0.value)) " }.joined()
        let cache = environment["XDG_CACHE_HOME"] == nil ? "XDG_CACHE_HOME=\(Self.quote(self.stateFolder.path)) " : ""
        let command = "XDG_STATE_HOME=\(Self.quote(self.stateFolder.path)) XDG_CONFIG_HOME=\(Self.quote(config)) CBQ_PROFILE= TERM=xterm " + cache + variables + ([CLI.executable.path] + CLI.pinned(arguments)).map(Self.quote).joined(separator: " ")
        if inShell {
            script = "PS1='$ ' TERM=xterm exec bash --norc --noprofile -i"
            commandLine = command
        } else {
            // The shell keeps the pane open after cbq exits, so its exit status can be read; it
            // shrugs off Ctrl-C, which the terminal sends to the whole process group.
            script = "trap : INT; \(command); echo \"[exited $?]\"; sleep 60"
            commandLine = nil
        }
    }

    /// What the pane runs.
    private let script: String
    /// What is typed into the pane's shell, if it runs one.
    private let commandLine: String?

    /// Each session has a tmux server of its own, on a socket of its own: a shared server exits
    /// when its last session ends, and a test starting its session at that moment got "server
    /// exited unexpectedly". Nor do the tests touch the tmux sessions of whoever runs them.
    private var socket: String { FileManager.default.temporaryDirectory.appendingPathComponent("\(name).tmux").path }

    deinit {
        ChildProcess.launch(URL(fileURLWithPath: "/bin/sh"), ["-c", "tmux -S \"$1\" kill-server; rm -f \"$1\"; [ -z \"$2\" ] || rm -rf \"$2\"",
                                                             "sh", socket, ownsStateFolder ? stateFolder.path : ""])
    }

    /// A session whose first prompt has appeared (an error if it does not within 10 s).
    static func started(_ arguments: [String], stateFolder: URL? = nil, configFolder: URL? = nil, environment: [String: String] = [:],
                        prompt: String = "cbq(sandbox)>", inShell: Bool = false, width: Int = 100, height: Int = 40) async throws -> TerminalSession {
        let session = TerminalSession(arguments, stateFolder: stateFolder, inShell: inShell, configFolder: configFolder, environment: environment)
        try FileManager.default.createDirectory(at: session.stateFolder, withIntermediateDirectories: true)
        try await session.tmux(["new-session", "-d", "-s", session.name, "-x", String(width), "-y", String(height), "sh", "-c", session.script])
        if let commandLine = session.commandLine {
            guard try await session.waitFor({ $0.last == "$" }) else { throw NotStarted(screen: try await session.screen()) }
            try await session.typeLine(commandLine)
        }
        guard try await session.waitForPrompt(prompt) else { throw NotStarted(screen: try await session.screen()) }
        return session
    }

    struct NotStarted: Error { let screen: [String] }

    /// Types text literally (tmux would read a trailing ';' as its own separator, so ';' goes as a byte).
    func type(_ text: String) async throws {
        for (index, piece) in text.split(separator: ";", omittingEmptySubsequences: false).enumerated() {
            if index > 0 { try await tmux(["send-keys", "-t", name, "-H", "3b"]) }
            if !piece.isEmpty { try await tmux(["send-keys", "-t", name, "-l", String(piece)]) }
        }
    }

    /// Presses keys by tmux name: Enter, Tab, Left, Up, C-c, C-d, End.
    func press(_ keys: String...) async throws {
        try await tmux(["send-keys", "-t", name] + keys)
    }

    /// Makes the terminal narrower or wider, as dragging its window would.
    func resize(width: Int) async throws {
        try await tmux(["resize-window", "-t", name, "-x", String(width)])
    }

    func typeLine(_ text: String) async throws {
        try await type(text)
        try await press("Enter")
    }

    /// The screen's non-empty lines.
    func screen() async throws -> [String] {
        try await tmux(["capture-pane", "-p", "-t", name]).split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    /// Waits until the screen satisfies `condition`; returns whether it did within `timeout`.
    @discardableResult
    func waitFor(timeout: Double = 10, _ condition: ([String]) -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(try await screen()) { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    func waitForText(_ text: String, timeout: Double = 10) async throws -> Bool {
        try await waitFor(timeout: timeout) { $0.contains { $0.contains(text) } }
    }

    /// Waits for an empty prompt on the last line.
    func waitForPrompt(_ prompt: String = "cbq(sandbox)>", timeout: Double = 10) async throws -> Bool {
        try await waitFor(timeout: timeout) { $0.last?.trimmingCharacters(in: .whitespaces) == prompt }
    }

    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    @discardableResult
    private func tmux(_ arguments: [String]) async throws -> String {
        let result = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["tmux", "-S", socket] + arguments, timeout: .seconds(30))
        guard result.status == 0 else { throw TmuxError(arguments: arguments, stderr: result.stderr) }
        return result.stdout
    }

    struct TmuxError: Error { let arguments: [String]; let stderr: String }
}
