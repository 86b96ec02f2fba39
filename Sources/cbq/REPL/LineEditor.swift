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

func setSignalHandler(_ signal: Int32, _ handler: @convention(c) (Int32) -> Void, restartingCalls: Bool) {
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
