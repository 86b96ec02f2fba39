#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import CBQCore

/// The few facts about the terminal cbq needs, and its byte-level I/O.
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
    static var colorsOnStandardError: Bool {
        isInteractive(.standardError) && getenv("NO_COLOR") == nil && String(cString: getenv("TERM") ?? strdup("dumb")) != "dumb"
    }

    static func writeError(_ text: String) {
        var text = text
        if !text.hasSuffix("\n") { text += "\n" }
        writeAll(2, Array(text.utf8))
    }
}

/// Writes every byte to a file descriptor, retrying short writes and EINTR.
func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if written < 0 { if errno == EINTR { continue } else { return } }
        offset += written
    }
}

func readFile(_ path: String) throws -> String {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else {
        let reason = String(cString: strerror(errno))
        ErrorReporter.report("cannot read '\(path)': \(reason)")
        throw ExitCode(SysExit.noInput)
    }
    defer { close(descriptor) }
    return readAll(descriptor)
}

func readStandardInput() -> String { readAll(0) }

private func readAll(_ descriptor: Int32) -> String {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = read(descriptor, &buffer, buffer.count)
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { break }
        bytes.append(contentsOf: buffer[0..<count])
    }
    var text = String(decoding: bytes, as: UTF8.self)
    // A script may start with `#!/usr/bin/env cbq`: blank the line, keep the line numbers.
    if text.hasPrefix("#!"), let newline = text.firstIndex(of: "\n") {
        text = String(repeating: " ", count: text.utf8.distance(from: text.startIndex, to: newline)) + text[newline...]
    }
    return text
}

/// Prints errors to standard error: with the source line and a caret on a terminal, as one
/// `file:line:col: error: …` line otherwise.
enum ErrorReporter {
    static func report(_ diagnostic: Diagnostic, in source: SourceText) {
        let interactive = Terminal.isInteractive(.standardError)
        let formatter = DiagnosticFormatter(style: interactive ? .rich : .oneLine, colors: Terminal.colorsOnStandardError)
        Terminal.writeError(formatter.format(diagnostic, in: source))
    }

    static func report(_ message: String, hint: String? = nil) {
        var text = "error: \(message)"
        if let hint { text += "\n  = hint: \(hint)" }
        Terminal.writeError(text)
    }
}

func getenvString(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}

extension Terminal {
    /// Columns of the terminal on standard output; nil when it is not a terminal.
    static var outputWidth: Int? {
        guard isInteractive(.standardOutput) else { return nil }
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }
}
