#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@preconcurrency import CLibEdit

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
