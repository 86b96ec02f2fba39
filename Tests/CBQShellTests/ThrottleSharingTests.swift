import CBQCore
import CBQRuntime
import CBQSandbox
import Testing
@testable import CBQShell

/// One statement, one throttle per origin: a join's lookups slow down together when the server
/// says 429, and the pauses are counted once.
struct ThrottleSharingTests {
    @Test func anExecutorSharesOneThrottlePerOrigin() {
        let executor = Executor(transport: InProcessTransport())
        let one = executor.sender(for: "http://a.test/people/people").throttle
        #expect(one != nil)
        #expect(one === executor.sender(for: "http://a.test/cases/cases").throttle)
        #expect(one !== executor.sender(for: "http://b.test/people/people").throttle)
        #expect(one !== Executor(transport: InProcessTransport()).sender(for: "http://a.test/people/people").throttle)
    }

    /// A join whose lookups (lists of 50 ids, two at a time) meet 429s with Retry-After: the
    /// same rows as without them; every lookup held by the pause, not only the refused one;
    /// the pause counted once for the statement.
    @Test func aJoinsLookupsShareTheirPauses() async {
        let query = "SELECT c.id, p.last_name FROM cases.cases c JOIN people.people p ON p.id = c.person_id WHERE c.id < 'CAS-00401' ORDER BY c.id;"
        var dialect = Dialect.guide
        dialect.idLists = true
        var options = SandboxOptions()
        options.rowCounts = [KnownEndpoint.all.first { $0.qualifiedName == "people.people" }!.path: 20_000]
        options.acceptsIDLists = true
        let target = Target.sandbox(at: InProcessTransport.baseURL, dialect: dialect)
        let plain = ShellHarness(target: target, format: .csv, sandbox: options, concurrency: 2)
        await plain.type(query)
        options.rateLimitEvery = 9
        options.retryAfterSeconds = 1
        let limited = ShellHarness(target: target, format: .csv, sandbox: options, concurrency: 2)
        let started = ContinuousClock.now
        await limited.type(query)
        let elapsed = ContinuousClock.now - started
        #expect(plain.output.contains("CAS-00400") && limited.output == plain.output, "\(limited.errorText)")
        #expect(limited.transport.sent.contains { $0.url.description.contains("%2CPER-") }, "people looked up in lists")
        let summary = limited.session.lastSummary?.summary
        #expect((summary?.throttled ?? 0) >= 1)
        #expect((summary?.paused ?? .zero) >= .seconds(1))
        #expect((summary?.paused ?? .zero) <= elapsed, "the pauses are wall time, once")
        // Nothing is sent in the second after the first 429 (a margin either side for
        // requests already on their way).
        let answers = limited.transport.answers
        guard let refused = answers.first(where: { $0.status == 429 })?.sent else {
            Issue.record("no 429 was answered")
            return
        }
        let during = answers.filter { $0.sent > refused + .milliseconds(100) && $0.sent < refused + .milliseconds(900) }
        #expect(during.isEmpty, "\(during.count) requests sent during the pause")
    }
}
