import CBQCore
import CBQRuntime
import Synchronization

/// `… 12 pages, 1,200 rows, 1.3 s` on standard error, redrawn in place, once a fetch has taken
/// more than a second.
final class ProgressLine: Sendable {
    private let enabled: Bool
    private let errors: any ByteSink
    private let started = ContinuousClock.now
    private let shown = Mutex(false)

    /// True while the progress must not show (a pager has the screen).
    private let quiet: @Sendable () -> Bool

    init(enabled: Bool, errors: any ByteSink, quiet: @escaping @Sendable () -> Bool = { false }) {
        self.enabled = enabled
        self.errors = errors
        self.quiet = quiet
    }

    func update(_ summary: ExecutionSummary) {
        show("\(counted(summary.pages, "page")), \(summary.rowsEmitted) rows")
    }

    /// `… 12 of 37 rows written, 1.3 s`: a write's progress.
    func written(_ count: Int, of total: Int) {
        show("\(count) of \(counted(total, "row")) written")
    }

    private func show(_ text: String) {
        guard enabled, !quiet() else { return }
        let elapsed = ContinuousClock.now - started
        guard elapsed > .seconds(1) else { return }
        shown.withLock { $0 = true }
        errors.write("\r\u{1B}[K… \(text), \(fixed(elapsed.inSeconds, 1)) s")
    }

    func clear() {
        if shown.withLock({ $0 }) { errors.write("\r\u{1B}[K") }
    }
}
