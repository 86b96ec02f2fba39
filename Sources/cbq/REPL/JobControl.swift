#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@preconcurrency import CLibEdit

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
