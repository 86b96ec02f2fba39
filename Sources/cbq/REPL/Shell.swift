import CBQShell

/// The interactive shell on a terminal: libedit for typing, Ctrl-C to cancel a query.
enum Shell {
    static func run(_ session: Session) async -> Int32 {
        session.showsProgress = true
        session.interruptRequested = { Interrupts.wasInterrupted }
        session.resetInterrupt = { Interrupts.reset() }
        let editor = LineEditor(historyPath: LineEditor.defaultHistoryPath(), completer: session.completer)
        return await session.runInteractive(editor, banner: "cbq 0.1.0, connected to \(session.target.description). \\help for help, \\q to quit.")
    }
}
