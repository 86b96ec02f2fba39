#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CBQCore
import CBQRuntime

/// psql's pager: in the shell, a result longer than the screen goes through `$PAGER` (else
/// `less -SRFX`: long lines scroll sideways, colour passes, a result that fits one screen is
/// printed and less quits at once). Never when the screen is not a terminal.
public enum PagerMode: String, Sendable, CaseIterable {
    /// Every result through the pager.
    case on
    case off
    /// Only a result longer than the screen (the default).
    case auto
}

/// Runs a pager with text on its standard input and waits for it to end.
public enum PagerProcess {
    /// The command to run: `$PAGER` when set (empty: none), else `less -SRFX`.
    public static func command(environment: (String) -> String?) -> String? {
        if let pager = environment("PAGER") { return pager.trimming(.whitespace).isEmpty ? nil : pager }
        return "less -SRFX"
    }

    /// Runs `command` with `/bin/sh -c`, writes `bytes` to it and waits; false when it could
    /// not be started (the caller then writes to the screen).
    public static func run(_ command: String, _ bytes: [UInt8]) -> Bool {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { return false }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[0], 0)
        posix_spawn_file_actions_addclose(&actions, pipeEnds[1])
        // The pager gets the signals a program expects: none blocked (the task pool's threads
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
        let arguments = ["/bin/sh", "-c", command]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let started = posix_spawn(&pid, "/bin/sh", &actions, &attributes, &argv, environ)
        close(pipeEnds[0])
        guard started == 0 else {
            close(pipeEnds[1])
            return false
        }
        // A pager that quits early (q) closes the pipe: the rest is not wanted (EPIPE, which
        // cbq ignores, ends the writing).
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(pipeEnds[1], buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { break }
                offset += written
            }
        }
        close(pipeEnds[1])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // 127: the shell found no such command; the text was not shown.
        let exitedWith127 = (status & 0x7f) == 0 && (status >> 8) & 0xff == 127
        return !exitedWith127
    }
}

extension Session {
    /// Results go to the screen: directly, or held for the pager.
    var writesToScreen: Bool { heldForScreen || output.sink === console.screen }

    /// `\pager [on|off|auto]`.
    func setPager(_ argument: String) {
        pager = argument.isEmpty ? (pager == .off ? .auto : .off) : PagerMode(rawValue: argument.lowercased())!
        say("Pager usage is \(pager.rawValue).")
    }

    /// Whether this statement's results are held, to go through the pager after it: in the
    /// shell, to a terminal, with a pager to run, and not under `\watch` (whose runs scroll by).
    var pagesResults: Bool {
        pager != .off && !watching && reader != nil && output.sink === console.screen && !heldForScreen && console.screenHeight() != nil
            && PagerProcess.command(environment: environment) != nil
    }

    /// Shows `held` (a statement's results): through the pager when it is on, or when the text
    /// has more lines than the screen; else, or when the pager cannot start, on the screen.
    func showPaged(_ held: [UInt8]) {
        guard !held.isEmpty else { return }
        let lines = held.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        let height = console.screenHeight() ?? Int.max
        if pager == .on || lines >= height - 1, let command = PagerProcess.command(environment: environment), runPager(command, held) {
            resetInterrupt()
            return
        }
        _ = held.withUnsafeBytes { console.screen.write($0) }
    }
}
