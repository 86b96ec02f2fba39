#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CBQCore
import CBQRuntime
import Synchronization

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

/// A pager that was started, reading what is written to it; ``close()`` ends its input and
/// waits for it to be quit; ``stop()`` ends it (Ctrl-C in cbq: the user wants the prompt).
public protocol PagerPipe: ByteSink {
    func close()
    func stop()
}

/// Starts the pager command as a child reading a pipe.
public enum PagerProcess {
    /// The command to run: `$PAGER` when set (empty: none), else `less -SRFX`.
    public static func command(environment: (String) -> String?) -> String? {
        if let pager = environment("PAGER") { return pager.trimming(.whitespace).isEmpty ? nil : pager }
        return "less -SRFX"
    }

    /// Starts `command` with `/bin/sh -c`; nil when its program is not found or it could not
    /// be started (the caller then writes to the screen). The program is looked up first,
    /// because the text written before a shell reports 127 would be lost with it.
    public static func start(_ command: String, environment: (String) -> String?) -> (any PagerPipe)? {
        guard ShellCommand.isRunnable(command, path: environment("PATH") ?? "/usr/bin:/bin") else { return nil }
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { return nil }
        let pid = ShellCommand.spawn(ShellCommand.execForm(of: command) ?? command, input: pipeEnds[0], closing: pipeEnds[1])
        closeDescriptor(pipeEnds[0])
        guard let pid else {
            closeDescriptor(pipeEnds[1])
            return nil
        }
        return Child(pid: pid, input: pipeEnds[1])
    }

    /// The pager's process and the write end of its input.
    final class Child: PagerPipe {
        private let pid: pid_t
        private let input: FileDescriptorSink

        init(pid: pid_t, input: Int32) {
            self.pid = pid
            self.input = FileDescriptorSink(input)
        }

        /// False once the pager has quit (q): the rest is not wanted (EPIPE, which cbq ignores).
        func write(_ bytes: UnsafeRawBufferPointer) -> Bool { input.write(bytes) }

        /// less leaves the terminal as it found it on SIGTERM, the rows it showed on the screen.
        func stop() { kill(pid, SIGTERM) }

        func close() {
            closeDescriptor(input.descriptor)
            ShellCommand.wait(pid)
        }
    }
}

/// A statement's results on their way to the screen in the shell: held while they fit on one
/// screen, then, once longer (or at once with `\\pager on`), piped to the pager as they come,
/// so that a long result is never held whole and shows as soon as a screen of it is there.
/// A pager command that is not a plain program (a pipe, quotes) could not be stopped by Ctrl-C
/// mid-fetch, so its result is held and paged at the end instead, as psql does.
final class PagedScreen: ByteSink {
    private struct State {
        var held: [UInt8] = []
        var lines = 0
        var pager: (any PagerPipe)?
        /// The pager could not start (or Ctrl-C came before it did): the rest goes to the screen.
        var direct = false
    }

    private let state = Mutex(State())
    /// The pager once started, and whether Ctrl-C came, apart from ``state``: a write blocked
    /// on a full pipe holds that lock.
    private let running = Mutex<(pager: (any PagerPipe)?, interrupted: Bool)>((nil, false))
    private let screen: any ByteSink
    /// Lines that go to the pager: a screen less the prompt's line (0: every result).
    private let threshold: Int
    /// Whether the pager starts mid-result (a plain command), or only at the end.
    private let streams: Bool
    private let startPager: @Sendable () -> (any PagerPipe)?

    init(screen: any ByteSink, threshold: Int, streams: Bool = true, startPager: @escaping @Sendable () -> (any PagerPipe)?) {
        self.screen = screen
        self.threshold = threshold
        self.streams = streams
        self.startPager = startPager
    }

    /// Whether a pager is showing this result (the progress line then keeps quiet).
    var isPaging: Bool { running.withLock { $0.pager != nil } }

    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        state.withLock { state in
            if let pager = state.pager { return pager.write(bytes) }
            if state.direct { return screen.write(bytes) }
            state.held.append(contentsOf: bytes)
            state.lines += bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            return streams && isLong(state.lines) ? release(&state, toPager: true) : true
        }
    }

    /// Whether a result of `lines` lines goes through the pager.
    private func isLong(_ lines: Int) -> Bool { threshold == 0 || lines >= threshold }

    /// Writes what is held: to a pager started now (the screen when it cannot start), or to
    /// the screen.
    private func release(_ state: inout State, toPager: Bool) -> Bool {
        let held = state.held
        state.held = []
        let started = !toPager ? nil : running.withLock { running -> (any PagerPipe)? in
            guard !running.interrupted else { return nil }
            running.pager = startPager()
            return running.pager
        }
        if let pager = started {
            state.pager = pager
            return held.withUnsafeBytes { pager.write($0) }
        }
        state.direct = true
        return held.withUnsafeBytes { screen.write($0) }
    }

    /// Ctrl-C: the pager is ended, so that a write waiting on it returns and the prompt comes.
    func interrupt() {
        running.withLock { running in
            running.interrupted = true
            running.pager?.stop()
        }
    }

    /// Ends one statement's result: what is still held goes to the screen, or through the
    /// pager when it is longer than the screen or the pager is on for every result (unless
    /// `interrupted`: then the user wants the prompt); a pager that was started is waited for.
    /// The next result starts afresh. True when a pager ran.
    @discardableResult
    func finish(interrupted: Bool) -> Bool {
        state.withLock { state in
            defer {
                state = State()
                running.withLock { $0 = (nil, false) }
            }
            if state.pager == nil && !state.held.isEmpty { _ = release(&state, toPager: isLong(state.lines) && !interrupted) }
            guard let pager = state.pager else { return false }
            pager.close()
            return true
        }
    }
}

extension Session {
    /// Results go to the screen: directly, or through the pager.
    var writesToScreen: Bool { output.sink === console.screen || (currentPagedScreen.map { output.sink === $0 } ?? false) }

    /// `\pager [on|off|auto]`.
    func setPager(_ argument: String) {
        pager = argument.isEmpty ? (pager == .off ? .auto : .off) : PagerMode(rawValue: argument.lowercased())!
        say("Pager usage is \(pager.rawValue).")
    }

    /// The screen for one input's results, paging them when they are long: in the shell, to a
    /// terminal, with a pager to run, and not under `\watch` (whose runs scroll by); nil else.
    func pagedScreen() -> PagedScreen? {
        guard pager != .off, !watching, reader != nil, output.sink === console.screen, let height = console.screenHeight(),
              let command = PagerProcess.command(environment: environment) else { return nil }
        let threshold = pager == .on ? 0 : max(1, height - 1)
        let environment = environment
        let start = startPager ?? { PagerProcess.start($0, environment: environment) }
        return PagedScreen(screen: console.screen, threshold: threshold, streams: ShellCommand.execForm(of: command) != nil) { start(command) }
    }
}
