import CBQCore
import CBQRuntime
import Synchronization

/// Where the shell's text goes, and what kind of place that is: results and messages to the
/// screen (standard output), errors, notes, progress and summaries to standard error. The
/// executable gives it the real descriptors; tests give it memory.
public final class Console: Sendable {
    public let screen: any ByteSink
    public let errors: any ByteSink
    /// Errors go to a terminal: progress lines, summaries and colour. Diagnostics show their
    /// source line and caret either way, under a `file:line:col: error: …` first line.
    public let errorsAreTerminal: Bool
    public let colors: Bool
    /// The screen is a terminal that takes colour: a table's header is bold.
    public let screenColors: Bool
    /// The screen's width in columns when it is a terminal (asked each time: it may be resized).
    public let screenWidth: @Sendable () -> Int?
    /// Its height in lines when it is a terminal, for the pager.
    public let screenHeight: @Sendable () -> Int?

    public init(screen: any ByteSink, errors: any ByteSink, errorsAreTerminal: Bool = false, colors: Bool = false,
                screenColors: Bool = false, screenWidth: @escaping @Sendable () -> Int? = { nil },
                screenHeight: @escaping @Sendable () -> Int? = { nil }) {
        self.screen = screen
        self.errors = errors
        self.errorsAreTerminal = errorsAreTerminal
        self.colors = colors
        self.screenColors = screenColors
        self.screenWidth = screenWidth
        self.screenHeight = screenHeight
    }

    /// A line (or lines) on the screen, unbuffered: meta-command output, the banner.
    public func say(_ text: String) { write(screen, text) }

    /// A line on standard error, as it is; held while results are (``hold()``).
    /// A note on standard error; control characters in it (a server's ids and messages may
    /// hold escape sequences) are shown, not obeyed (``VisibleText``).
    public func note(_ text: String) { emit(VisibleText.of(text)) }

    private func emit(_ text: String) { write(held.withLock { $0 } ?? errors, text) }

    /// While a statement's results are held for the pager, its notes and errors are held too,
    /// so that they follow the results as they would without one. (Progress lines, written to
    /// ``errors`` directly, stay live.)
    private let held = Mutex<MemorySink?>(nil)

    public func hold() { held.withLock { $0 = MemorySink() } }

    /// Writes what was held so far and goes on holding: before a question, so that the notes
    /// before it are read before it is answered.
    public func showHeld() { writeHeld(goOnHolding: true) }

    /// Ends holding; what was held is written to standard error.
    public func releaseHeld() { writeHeld(goOnHolding: false) }

    private func writeHeld(goOnHolding: Bool) {
        let sink = held.withLock { sink -> MemorySink? in
            defer { sink = goOnHolding && sink != nil ? MemorySink() : nil }
            return sink
        }
        guard let bytes = sink?.data, !bytes.isEmpty else { return }
        _ = bytes.withUnsafeBytes { errors.write($0) }
    }

    /// `error: message` and `= hint: …`.
    public func error(_ message: String, hint: String? = nil) {
        var text = (colors ? "\u{1B}[1;31merror\u{1B}[0m: " : "error: ") + VisibleText.of(message)
        if let hint { text += "\n  = hint: \(VisibleText.of(hint))" }
        emit(text)
    }

    public func error(_ failure: ShellFailure) { error(failure.message, hint: failure.hint) }

    /// A diagnostic with its source line and caret, coloured on a terminal.
    public func error(_ diagnostic: Diagnostic, in source: SourceText) {
        let formatter = DiagnosticFormatter(style: .rich, colors: colors)
        emit(formatter.format(diagnostic, in: source))
    }

    /// Every line passes ``Secrets/redact(_:)``: a server may echo a token back in an error.
    private func write(_ sink: any ByteSink, _ text: String) {
        let text = Secrets.redact(text)
        sink.write(text.hasSuffix("\n") ? text : text + "\n")
    }
}
