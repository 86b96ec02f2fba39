#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@preconcurrency import CLibEdit
import CBQCore
import CBQShell
import Dispatch

/// libedit's readline: Emacs-style editing and arrow keys, history persisted to a file, and
/// Tab completion through a ``Completer``.
///
/// `readline()` blocks its thread, so it runs on the main actor (served by a dispatch thread,
/// otherwise idle in cbq), never on the cooperative pool. Dispatch and NIO threads block SIGINT,
/// so the reading thread unblocks it while it reads: Ctrl-C then interrupts the read and
/// `readline()` returns NULL, as for Ctrl-D; the SIGINT flag (see ``Interrupts``) tells the two
/// apart. libedit's own signal catching is off: it re-raised the signal from whichever thread got
/// it and left the terminal in cooked mode (every line echoed twice).
final class LineEditor: LineReader, @unchecked Sendable {

    private let historyPath: String?

    init(historyPath: String?, completer: Completer) {
        self.historyPath = historyPath
        rl_readline_name = UnsafePointer(strdup("cbq"))
        rl_catch_signals = 0
        // readline's default word breaks, less the backslash, so `\for` completes to `\format`.
        rl_basic_word_break_characters = UnsafePointer(strdup(" \t\n\"'`@$><=;|&{("))
        Completion.completer = completer
        rl_attempted_completion_function = { text, start, end in Completion.complete(text, start, end) }
        stifle_history(2_000)
        if let historyPath { _ = read_history(historyPath) }
        Interrupts.install()
        JobControl.install()
    }

    func readLine(prompt: String) async -> LineInput {
        await MainActor.run {
            Interrupts.reset()
            var interrupt = sigset_t(), previous = sigset_t()
            sigemptyset(&interrupt)
            sigaddset(&interrupt, SIGINT)
            pthread_sigmask(SIG_UNBLOCK, &interrupt, &previous)
            Interrupts.beginReading()
            let pointer = readline(prompt)
            Interrupts.endReading()
            pthread_sigmask(SIG_SETMASK, &previous, nil)
            guard let pointer else { return Interrupts.wasInterrupted ? .interrupted : .endOfInput }
            let line = String(cString: pointer)
            free(pointer)
            return .line(line)
        }
    }

    /// Adds an entry (a whole statement, even over several lines) and saves the file, so a
    /// crash loses nothing.
    func remember(_ entry: String) {
        let trimmed = entry.trimming(.whitespace)
        guard !trimmed.isEmpty else { return }
        if history_length > 0, let last = history_get(history_base + history_length - 1), let line = last.pointee.line,
           String(cString: line) == trimmed {
            return  // no immediate repeats
        }
        add_history(trimmed)
        save()
    }

    func save() {
        guard let historyPath else { return }
        _ = write_history(historyPath)
        chmod(historyPath, 0o600)
    }

    var entries: [String] {
        (0..<Int(history_length)).compactMap { index in
            history_get(history_base + Int32(index)).flatMap { $0.pointee.line }.map { String(cString: $0) }
        }
    }

    /// `$XDG_STATE_HOME/cbq/history`, else `~/.local/state/cbq/history`; the folder and file are
    /// created for the owner only (statements can name people).
    static func defaultHistoryPath() -> String? {
        var base: String
        if let state = getenv("XDG_STATE_HOME").map({ String(cString: $0) }), !state.isEmpty {
            base = state
        } else if let home = getenv("HOME").map({ String(cString: $0) }), !home.isEmpty {
            base = home + "/.local/state"
        } else {
            return nil
        }
        var path = ""
        for part in (base + "/cbq").split(separator: "/") {
            path += "/" + part
            mkdir(path, 0o700)
        }
        let file = path + "/history"
        let descriptor = open(file, O_CREAT | O_WRONLY, 0o600)
        if descriptor >= 0 { close(descriptor) }
        chmod(file, 0o600)
        return file
    }
}

/// SIGINT sets a flag instead of killing cbq: while typing, `readline()` returns and the line is
/// dropped; during a fetch, the REPL sees the flag and cancels the query.
///
/// The kernel delivers SIGINT to any thread of the process, but only the thread blocked in
/// `readline()`'s `read()` gets EINTR; so a handler running elsewhere forwards the signal to
/// the reading thread (`pthread_kill` is async-signal-safe).
enum Interrupts {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0
    nonisolated(unsafe) private static var reading: sig_atomic_t = 0
    nonisolated(unsafe) private static var readingThread = pthread_self()

    private static let handler: @convention(c) (Int32) -> Void = { _ in
        Interrupts.flag = 1
        if Interrupts.reading == 1, pthread_equal(pthread_self(), Interrupts.readingThread) == 0 {
            pthread_kill(Interrupts.readingThread, SIGINT)
        }
    }

    static func beginReading() {
        readingThread = pthread_self()
        reading = 1
    }

    static func endReading() { reading = 0 }

    static var isReading: Bool { reading == 1 }

    static func install() {
        // Not restarting: a blocked read() returns, so readline() does.
        setSignalHandler(SIGINT, handler, restartingCalls: false)
    }

    static var wasInterrupted: Bool { flag != 0 }
    static func reset() { flag = 0 }
}

/// Ctrl-Z while typing, `fg` after it, and a resized terminal, as psql handles them. On Ctrl-Z
/// the terminal is handed back in its normal mode and cbq stops; back in the foreground the
/// editing mode returns and the prompt and the text typed so far are drawn again.
///
/// libedit does this itself only with its signal catching on, which is off (see ``LineEditor``).
/// Without it, cbq stopped with the terminal in editing mode and came back with the shell's mode:
/// every key echoed twice and editing keys stopped working. The handlers do what libedit's own
/// do, from a signal handler as it does, while the reading thread sits in `read()`; each keeps
/// `errno` as it found it, for the code it interrupted.
enum JobControl {
    /// Set while a Ctrl-Z is being handled, so that the SIGCONT that ends it is not handled twice.
    nonisolated(unsafe) private static var stopping: sig_atomic_t = 0

    static func install() {
        setSignalHandler(SIGTSTP, suspend, restartingCalls: true)
        setSignalHandler(SIGCONT, resumed, restartingCalls: true)
        setSignalHandler(SIGWINCH, resized, restartingCalls: true)
    }

    private static let suspend: @convention(c) (Int32) -> Void = { _ in
        let savedErrno = errno
        defer { errno = savedErrno }
        stopping = 1
        let editing = Interrupts.isReading
        if editing { rl_deprep_terminal() }
        // Stop as the default action would, then take the handler back.
        signal(SIGTSTP, SIG_DFL)
        var stop = sigset_t()
        sigemptyset(&stop)
        sigaddset(&stop, SIGTSTP)
        pthread_sigmask(SIG_UNBLOCK, &stop, nil)
        raise(SIGTSTP)  // returns after `fg`
        pthread_sigmask(SIG_BLOCK, &stop, nil)
        setSignalHandler(SIGTSTP, suspend, restartingCalls: true)
        if editing { redraw() }
        stopping = 0
    }

    /// A stop that was not a Ctrl-Z (`kill -STOP`, which cannot be caught): redraw only if the
    /// terminal has left the editing mode meanwhile.
    private static let resumed: @convention(c) (Int32) -> Void = { _ in
        let savedErrno = errno
        defer { errno = savedErrno }
        guard stopping == 0, Interrupts.isReading else { return }
        var mode = termios()
        guard tcgetattr(STDIN_FILENO, &mode) == 0, mode.c_lflag & tcflag_t(ICANON) != 0 else { return }
        rl_deprep_terminal()
        redraw()
    }

    /// A new terminal width while typing: libedit must know it, or moving across a wrapped line
    /// draws the text in the wrong places.
    private static let resized: @convention(c) (Int32) -> Void = { _ in
        let savedErrno = errno
        defer { errno = savedErrno }
        if Interrupts.isReading { rl_resize_terminal() }
    }

    private static func redraw() {
        rl_prep_terminal(1)
        rl_forced_update_display()
    }
}

private func setSignalHandler(_ signal: Int32, _ handler: @convention(c) (Int32) -> Void, restartingCalls: Bool) {
    var action = sigaction()
    #if os(Linux)
    action.__sigaction_handler.sa_handler = handler
    #else
    action.__sigaction_u.__sa_handler = handler
    #endif
    sigemptyset(&action.sa_mask)
    action.sa_flags = restartingCalls ? SA_RESTART : 0
    sigaction(signal, &action, nil)
}
