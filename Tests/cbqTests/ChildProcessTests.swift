import Foundation
import Testing

/// The test helper that runs programs: a hang must end as a failure, not stall the run.
struct ChildProcessTests {
    @Test func aChildPastItsDeadlineIsKilledAndReported() async throws {
        let started = ContinuousClock.now
        await #expect(throws: ChildProcess.TimedOut.self) {
            _ = try await ChildProcess.run(URL(fileURLWithPath: "/bin/sleep"), ["300"], timeout: .milliseconds(500))
        }
        // Well before the child would end by itself, with room for a busy machine: on 2 cores
        // the suite's CPU-bound tests can hold the cooperative threads for seconds.
        #expect(ContinuousClock.now - started < .seconds(120))
    }

    @Test func statusOutputAndInputGoThrough() async throws {
        let result = try await ChildProcess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "cat; echo oops >&2; exit 3"], stdin: "hello\n")
        #expect(result.status == 3)
        #expect(result.stdout == "hello\n")
        #expect(result.stderr == "oops\n")
    }
}
