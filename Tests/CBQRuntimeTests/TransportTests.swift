import CBQCore
import Testing
@testable import CBQRuntime

/// The real transport's failures, as the retry policy sees them: a refused connection must be
/// `.connect` (nothing was sent, so even a POST may be tried again).
@Suite(.timeLimit(.minutes(1)))
struct TransportTests {
    @Test func aRefusedConnectionIsReportedAsNothingSent() async throws {
        // Nothing listens on loopback port 1.
        let request = HTTPRequestSpec(method: .post, url: RequestURL("http://127.0.0.1:1/people/people")!, headers: [], body: Array("{}".utf8))
        // The client keeps trying a refused connection until its connect timeout: keep that short.
        let transport = AsyncHTTPTransport(connectTimeout: .seconds(1))
        do {
            _ = try await transport.send(request)
            Issue.record("expected the connection to be refused")
        } catch let error as TransportError {
            #expect(error.kind == .connect, "\(error)")
            #expect(error.message == "could not reach 127.0.0.1:1: connection refused")
        }
        await transport.shutdown()
    }
}
