#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A command line the user configured (`$PAGER`, `$EDITOR`), run with `/bin/sh -c` on the
/// shell's terminal: the pager and the editor start the same way.
enum ShellCommand {
    /// Starts `/bin/sh -c script` (with `arguments` as `$1`…) on the terminal, its standard
    /// input `input` when given; nil when it could not be started.
    static func spawn(_ script: String, arguments: [String] = [], input: Int32? = nil, closing: Int32? = nil) -> pid_t? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let input { posix_spawn_file_actions_adddup2(&actions, input, 0) }
        if let closing { posix_spawn_file_actions_addclose(&actions, closing) }
        // The child gets the signals a program expects: none blocked (the task pool's threads
        // block SIGINT), and SIGINT, SIGPIPE and the job-control ones at their defaults (cbq
        // ignores SIGPIPE and catches SIGINT), so Ctrl-C, Ctrl-Z and resizing work in it.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGPIPE, SIGTSTP, SIGTTOU, SIGTTIN, SIGWINCH, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = (["/bin/sh", "-c", script, "sh"] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        return posix_spawn(&pid, "/bin/sh", &actions, &attributes, &argv, environ) == 0 ? pid : nil
    }

    /// Waits for a child to end; its exit status, or nil when a signal ended it.
    @discardableResult
    static func wait(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : nil
    }

    /// A plain command (words, no shell syntax) as one that runs in the shell's place: its
    /// leading assignments, then `exec` (`LESS=R exec less -S`), so that ``PagerPipe/stop()``
    /// reaches the pager itself, not only the shell that started it. Nil for any other.
    static func execForm(of command: String) -> String? {
        guard !command.contains(where: { "|&;<>()$`\\\"'*?[#~{}\n".contains($0) }) else { return nil }
        let words = Self.words(of: command)
        let assignments = words.prefix { $0.contains("=") }
        guard assignments.count < words.count else { return nil }
        return (assignments + ["exec"] + words.dropFirst(assignments.count)).joined(separator: " ")
    }

    /// Whether the command's program (its first word not an assignment) is on `path` or is a
    /// path to an executable.
    static func isRunnable(_ command: String, path: String) -> Bool {
        guard let program = words(of: command).first(where: { !$0.contains("=") }) else { return true }
        if program.contains("/") { return access(String(program), X_OK) == 0 }
        return path.split(separator: ":").contains { access("\($0)/\(program)", X_OK) == 0 }
    }

    /// The command's words, split at blanks (enough for the plain commands ``execForm(of:)``
    /// takes, and for finding the program).
    private static func words(of command: String) -> [Substring] { command.split(whereSeparator: { $0 == " " || $0 == "\t" }) }
}
