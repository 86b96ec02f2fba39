import CBQCore
import Testing
@testable import CBQRuntime

/// The real transport's failures, as the retry policy sees them: a refused connection must be
/// `.connect` (nothing was sent, so even a POST may be tried again).
@Suite(.timeLimit(.minutes(1)))
struct TransportTests {
    /// The response collector refuses a body over the limit (announced by Content-Length)
    /// and reads one under it whole.
    @Test func aBodyOverTheLimitIsRefusedAndOneUnderItReadWhole() async throws {
        try await withSandbox { server in
            let url = try #require(RequestURL(server.baseURL + "/people/people?page%5Bsize%5D=100"))
            let request = HTTPRequestSpec(method: .get, url: url, headers: [("Authorization", "Bearer x")], body: nil)
            let small = AsyncHTTPTransport(maxBodySize: 1_000)
            do {
                let reply = try await small.send(request)
                Issue.record("expected the body to be refused, got \(reply.status) with \(reply.body.count) bytes")
            } catch let error as TransportError {
                #expect(error.kind == .tooLarge)
                #expect(error.message == "the response is larger than 1000 bytes")
            }
            await small.shutdown()
            let reply = try await sharedTransport.send(request)
            #expect(reply.status == 200)
            #expect(reply.header("content-length").flatMap { Int($0) } == reply.body.count)
            #expect(try PageIndexer.index(reply.body).rows.count == 100)
        }
    }

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
