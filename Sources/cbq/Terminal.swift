#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import CBQCore
import CBQRuntime
import CBQShell

/// The few facts about the terminal cbq needs.
enum Terminal {
    enum Stream { case standardInput, standardOutput, standardError }

    static func isInteractive(_ stream: Stream) -> Bool {
        switch stream {
        case .standardInput: return isatty(0) == 1
        case .standardOutput: return isatty(1) == 1
        case .standardError: return isatty(2) == 1
        }
    }

    /// Colour on a terminal, unless NO_COLOR is set (https://no-color.org).
    static var colorsOnStandardError: Bool { isInteractive(.standardError) && colorsAllowed }
    static var colorsOnStandardOutput: Bool { isInteractive(.standardOutput) && colorsAllowed }

    /// NO_COLOR unset (or empty, as the convention has it) and a terminal that is not dumb.
    private static var colorsAllowed: Bool {
        let noColor = getenv("NO_COLOR").map { String(cString: $0) } ?? ""
        let term = getenv("TERM").map { String(cString: $0) } ?? "dumb"
        return noColor.isEmpty && term != "dumb"
    }

    /// Columns of the terminal on standard output; nil when it is not a terminal.
    static var outputWidth: Int? {
        guard isInteractive(.standardOutput) else { return nil }
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    /// Lines of the terminal on standard output; nil when it is not a terminal.
    static var outputHeight: Int? {
        guard isInteractive(.standardOutput) else { return nil }
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 { return Int(size.ws_row) }
        return 24
    }

    /// Asks `question` on the controlling terminal (not standard input, which may be a script)
    /// and reads one line: `y` or `yes` is yes. Without a terminal the answer is no.
    static func ask(_ question: String) -> Bool {
        let tty = open("/dev/tty", O_RDWR | O_NOCTTY)
        guard tty >= 0 else { return false }
        defer { close(tty) }
        _ = question.utf8CString.withUnsafeBufferPointer { write(tty, $0.baseAddress, $0.count - 1) }
        var answer: [UInt8] = []
        var byte: UInt8 = 0
        while read(tty, &byte, 1) == 1, byte != 0x0A, answer.count < 64 { answer.append(byte) }
        let text = String(decoding: answer, as: UTF8.self).trimming([" ", "\t", "\r"]).lowercased()
        return text == "y" || text == "yes"
    }

    /// Standard output and standard error, as the shell writes to them.
    static let console = Console(screen: FileDescriptorSink.standardOutput, errors: FileDescriptorSink.standardError,
                                 errorsAreTerminal: isInteractive(.standardError), colors: colorsOnStandardError,
                                 screenColors: colorsOnStandardOutput, screenWidth: { Terminal.outputWidth },
                                 screenHeight: { Terminal.outputHeight })
}

extension ShellFailure {
    /// Reports the failure and ends the command with its status.
    func exit() -> ExitCode {
        Terminal.console.error(self)
        return ExitCode(status)
    }
}

/// Runs `body`, turning a ``ShellFailure`` into its report and exit status.
func reporting<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let failure as ShellFailure {
        throw failure.exit()
    }
}
