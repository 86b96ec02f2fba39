import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to its end without holding a thread of Swift's cooperative pool and without
/// Foundation's `Process`; both were behind a CI run that stalled for half an hour.
///
/// - The pool has one thread per core, two on a CI machine. A test blocked in `waitUntilExit()`
///   holds one; two such tests hold all, and then nothing else in the test process runs, the
///   in-process sandbox servers other tests query included.
/// - Foundation learns that a child exited when a socket the child inherited closes. Another
///   thread spawning at the same moment can hand that socket to its own child too; when that child
///   is tmux's long-lived server, the first child's exit is never reported.
///
/// So the child is started with `posix_spawn`, every descriptor above stderr closed, and its
/// exit is awaited with `waitid` on a thread of its own. Its input and output are files (no pipe
/// to drain), and a child that outlives its deadline is killed, so a hang becomes a failure.
enum ChildProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    struct TimedOut: Error, CustomStringConvertible {
        let command: [String]
        let timeout: Duration
        var description: String { "\(command.joined(separator: " ")) did not finish within \(timeout); it was killed" }
    }

    struct SpawnFailed: Error {
        let command: [String]
        let errno: Int32
    }

    static func run(_ executable: URL, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
                    timeout: Duration = .seconds(120)) async throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cbq-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in"), output = folder.appendingPathComponent("out"), errors = folder.appendingPathComponent("err")
        try Data((stdin ?? "").utf8).write(to: input)

        let command = [executable.path] + arguments
        let child = try spawn(command, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
                              stdin: input.path, stdout: output.path, stderr: errors.path)
        let outcome = await child.outcome(within: timeout)
        guard case .exited(let status) = outcome else { throw TimedOut(command: command, timeout: timeout) }
        return Result(status: status, stdout: String(decoding: try Data(contentsOf: output), as: UTF8.self),
                      stderr: String(decoding: try Data(contentsOf: errors), as: UTF8.self))
    }

    /// Starts a program and does not wait for it (for clean-up from a `deinit`); it is reaped when it exits.
    static func launch(_ executable: URL, _ arguments: [String]) {
        guard let child = try? spawn([executable.path] + arguments, environment: ProcessInfo.processInfo.environment,
                                     stdin: "/dev/null", stdout: "/dev/null", stderr: "/dev/null") else { return }
        Thread.detachNewThread { _ = child.waitForExit() }
    }

    private static func spawn(_ command: [String], environment: [String: String], stdin: String, stdout: String, stderr: String) throws -> Child {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        _ = closeFrom?(&actions, 3)

        // A clean start: no blocked signals (the spawning thread may block some), default
        // dispositions, and a process group of its own, as Foundation gives.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv = command.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let status = posix_spawn(&pid, command[0], &actions, &attributes, argv, envp)
        guard status == 0 else { throw SpawnFailed(command: command, errno: status) }
        return Child(pid: pid)
    }

    /// glibc has it since 2.34 but its header hides it from Swift; without it, descriptors other
    /// threads opened without close-on-exec would leak into the child.
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()
}

/// A spawned child, reaped exactly once.
private final class Child: @unchecked Sendable {
    enum Outcome { case exited(Int32), killed }

    let pid: pid_t
    private let lock = NSLock()
    private var reaped = false
    private var killed = false

    init(pid: pid_t) { self.pid = pid }

    /// Waits on a thread of its own for the child to end, killing it once `deadline` has passed.
    func outcome(within deadline: Duration) async -> Outcome {
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + .milliseconds(Int(deadline / .milliseconds(1))))
        timer.setEventHandler { [self] in
            // Only a child not yet reaped is ours: after waitpid its pid may belong to another.
            lock.withLock { if !reaped { killed = true; kill(pid, SIGKILL) } }
        }
        timer.resume()
        let status = await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: self.waitForExit()) }
        }
        timer.cancel()
        return lock.withLock { killed } ? .killed : .exited(status)
    }

    /// Blocks until the child ends; its exit status, or 128 + the signal that ended it (as a shell says).
    func waitForExit() -> Int32 {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
        var status: Int32 = 0
        lock.withLock {
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            reaped = true
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
