import Foundation

/// Runs cbq in a real terminal (a tmux pane) so tests can type keys and read the screen, as a
/// person would.
final class TerminalSession {
    let name = "cbq-test-\(UUID().uuidString.prefix(8))"
    let stateFolder: URL

    /// - Parameter stateFolder: `XDG_STATE_HOME` (the history file lives there); a new one by default.
    init(_ arguments: [String], stateFolder: URL? = nil, width: Int = 100, height: Int = 40) throws {
        self.stateFolder = stateFolder ?? FileManager.default.temporaryDirectory.appendingPathComponent("cbq-state-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.stateFolder, withIntermediateDirectories: true)
        let command = ([CLI.executable.path] + arguments).map(Self.quote).joined(separator: " ")
        // The shell keeps the pane open after cbq exits, so its exit status can be read; it
        // shrugs off Ctrl-C, which the terminal sends to the whole process group.
        let script = "trap : INT; XDG_STATE_HOME=\(Self.quote(self.stateFolder.path)) TERM=xterm \(command); echo \"[exited $?]\"; sleep 60"
        try Self.tmux(["new-session", "-d", "-s", name, "-x", String(width), "-y", String(height), "sh", "-c", script])
    }

    deinit { _ = try? Self.tmux(["kill-session", "-t", name]) }

    /// A session whose first prompt has appeared (an error if it does not within 10 s).
    static func started(_ arguments: [String], stateFolder: URL? = nil, prompt: String = "cbq(sandbox)>") throws -> TerminalSession {
        let session = try TerminalSession(arguments, stateFolder: stateFolder)
        guard try session.waitForPrompt(prompt) else { throw NotStarted(screen: try session.screen()) }
        return session
    }

    struct NotStarted: Error { let screen: [String] }

    /// Types text literally (tmux would read a trailing ';' as its own separator, so ';' goes as a byte).
    func type(_ text: String) throws {
        for (index, piece) in text.split(separator: ";", omittingEmptySubsequences: false).enumerated() {
            if index > 0 { try Self.tmux(["send-keys", "-t", name, "-H", "3b"]) }
            if !piece.isEmpty { try Self.tmux(["send-keys", "-t", name, "-l", String(piece)]) }
        }
    }

    /// Presses keys by tmux name: Enter, Tab, Left, Up, C-c, C-d, End.
    func press(_ keys: String...) throws {
        try Self.tmux(["send-keys", "-t", name] + keys)
    }

    func typeLine(_ text: String) throws {
        try type(text)
        try press("Enter")
    }

    /// The screen's non-empty lines.
    func screen() throws -> [String] {
        try Self.tmux(["capture-pane", "-p", "-t", name]).split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    /// Waits until the screen satisfies `condition`; returns whether it did within `timeout`.
    @discardableResult
    func waitFor(timeout: Double = 10, _ condition: ([String]) -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(try screen()) { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    func waitForText(_ text: String, timeout: Double = 10) throws -> Bool {
        try waitFor(timeout: timeout) { $0.contains { $0.contains(text) } }
    }

    /// Waits for an empty prompt on the last line.
    func waitForPrompt(_ prompt: String = "cbq(sandbox)>", timeout: Double = 10) throws -> Bool {
        try waitFor(timeout: timeout) { $0.last?.trimmingCharacters(in: .whitespaces) == prompt }
    }

    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    @discardableResult
    static func tmux(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tmux"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TmuxError(arguments: arguments) }
        return String(decoding: data, as: UTF8.self)
    }

    struct TmuxError: Error { let arguments: [String] }
}
