import CBQCore
import CBQSandbox
import Synchronization
import Testing
@testable import CBQRuntime

/// The write executor: over a real socket, a lost answer is a failure a POST is never repeated
/// after; a cancelled bulk write stops before its next request.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct WriteExecutorTests {
    private func plan(_ text: String, baseURL: String) throws -> WritePlan {
        var options = PlannerOptions()
        options.baseURL = baseURL
        guard case .write(let write) = try Planner(options).plan(text) else { throw Unexpected() }
        return write
    }

    struct Unexpected: Error {}

    /// The sandbox creates the report, then closes the connection: the client sees a reset,
    /// and the POST goes once.
    @Test func aPostWhoseAnswerIsLostOverTheWireIsSentOnce() async throws {
        try await withSandbox({ $0.dropWriteEvery = 1 }) { server in
            let runner = WriteExecutor(executor: Executor(transport: sharedTransport, options: fastOptions()))
            let write = try plan("INSERT INTO intake.reports (status) VALUES ('new')", baseURL: server.baseURL)
            let batch = try await runner.prepare(write)
            do {
                _ = try await runner.send(batch, write)
                Issue.record("the lost answer must fail the statement")
            } catch let failure as WriteFailure {
                #expect(failure.written.isEmpty)
                #expect(failure.failed?.method == "POST")
                #expect(failure.failedMayHaveWritten)
                #expect(failure.summary.requests == 0)
            } catch {
                Issue.record("expected a WriteFailure, got \(error)")
            }
            #expect(server.api.writeCount == 1)
        }
    }

    /// What a failed write's answer says of it: a redirect (not followed) may follow a POST the
    /// server carried out, as 303 and 302 do in the POST-then-GET pattern; a 4xx was refused.
    @Test(arguments: [(303, true), (302, true), (301, true), (500, true), (502, true), (400, false), (422, false), (404, false)])
    func aFailedWriteMayHaveBeenWrittenWhenItsAnswerSaysSo(status: Int, mayHaveWritten: Bool) {
        let request = WriteRequest(method: "POST", url: "http://127.0.0.1/intake/reports", id: nil, body: [])
        let error = ExecutionError.api(status: status, method: "POST", url: request.url, errors: [], attempts: 1)
        let failure = WriteFailure(verb: .insert, error: error, written: [], failed: request, notSent: [], summary: ExecutionSummary())
        #expect(failure.failedMayHaveWritten == mayHaveWritten)
    }

    @Test func aPatchWhoseAnswerIsLostIsSentAgain() async throws {
        try await withSandbox({ $0.dropWriteEvery = 2 }) { server in
            let runner = WriteExecutor(executor: Executor(transport: sharedTransport, options: fastOptions()))
            let write = try plan("UPDATE people.people SET city = 'x' WHERE id IN ('PER-00001', 'PER-00002')", baseURL: server.baseURL)
            let outcome = try await runner.send(try await runner.prepare(write), write)
            #expect(outcome.written == ["PER-00001", "PER-00002"])
            #expect(outcome.summary.requests == 3)
            #expect(outcome.summary.retries == 1)
            #expect(server.api.writeCount == 3)
        }
    }

    /// Ctrl-C cancels the statement's task: the write in flight finishes (its outcome is then
    /// known), and no other starts.
    @Test func cancellingABulkWriteFinishesTheRequestInFlightAndSendsNoOther() async throws {
        let transport = SlowTransport()
        let runner = WriteExecutor(executor: Executor(transport: transport, options: fastOptions()))
        let write = try plan("DELETE FROM attachments.notes WHERE id IN ('N-1', 'N-2', 'N-3', 'N-4')", baseURL: "http://sandbox.test")
        let batch = try await runner.prepare(write)
        let task = Task { () async -> WriteFailure? in
            do {
                _ = try await runner.send(batch, write)
                return nil
            } catch let failure as WriteFailure {
                return failure
            } catch {
                return nil
            }
        }
        while transport.started < 3 { try await Task.sleep(for: .milliseconds(5)) }
        task.cancel()  // while the third DELETE is in flight
        let failure = try #require(await task.value, "a cancelled write must say so")
        #expect(failure.error is CancellationError)
        #expect(failure.written == ["N-1", "N-2", "N-3"])
        #expect(failure.failed == nil)
        #expect(failure.notSent.compactMap(\.id) == ["N-4"])
        #expect(transport.started == 3)
    }
}

/// Answers 204 to every request after 100 ms, counting the requests it was sent.
final class SlowTransport: HTTPTransport {
    private let count = Mutex(0)

    var started: Int { count.withLock { $0 } }

    func send(_ request: HTTPRequestSpec) async throws -> HTTPReply {
        count.withLock { $0 += 1 }
        try await Task.sleep(for: .milliseconds(100))
        return HTTPReply(status: 204)
    }
}
