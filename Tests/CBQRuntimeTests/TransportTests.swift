import CBQCore
import Testing
@testable import CBQRuntime

/// The real transport's failures, as the retry policy sees them: a refused connection must be
/// `.connect` (nothing was sent, so even a POST may be tried again).
@Suite(.timeLimit(.minutes(1)))
struct TransportTests {
    @Test func headerNamesAreComparedWithoutCase() {
        let reply = HTTPReply(status: 200, headers: [("x-ratelimit-remaining", "7"), ("Retry-After", "2"), ("[", "a")], body: [])
        #expect(reply.header("X-RateLimit-Remaining") == "7")
        #expect(reply.header("retry-after") == "2")
        #expect(reply.header("RateLimit-Remaining") == nil)
        #expect(reply.header("{") == nil)  // '[' and '{' differ only in the bit that is case for letters
        #expect(!sameHeaderName("Retry-After", "Retry-Afte"))
        #expect(sameHeaderName("ÉTag", "ÉTag"))
        #expect(!sameHeaderName("éTag", "ÉTag"))
    }

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
