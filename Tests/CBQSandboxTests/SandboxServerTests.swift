import AsyncHTTPClient
import CBQCore
import NIOCore
import Testing
@testable import CBQSandbox

/// The sandbox over a real loopback socket.
@Suite(.timeLimit(.minutes(3)))
struct SandboxServerTests {
    @Test func servesOverLoopbackAndStops() async throws {
        let server = try await SandboxServer.start()
        #expect(server.baseURL.hasPrefix("http://127.0.0.1:"))
        #expect(server.port > 0)

        var request = HTTPClientRequest(url: server.baseURL + "/people/people?filter%5Blast_name%5D%5Blike%5D=Doe&page%5Bsize%5D=3")
        request.headers.add(name: "Authorization", value: "Bearer test")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        #expect(response.status.code == 200)
        #expect(response.headers.first(name: "content-type") == "application/vnd.api+json")
        let body = try await response.body.collect(upTo: 1 << 20)
        let document = try JSONParser.parse(Array(buffer: body))
        #expect(ids(document).count == 3)
        // Links name the address the client used.
        #expect(document[path: ["links", "next"]]?.stringValue?.hasPrefix(server.baseURL + "/people/people?") == true)

        let unauthorized = try await HTTPClient.shared.execute(HTTPClientRequest(url: server.baseURL + "/people/people"), timeout: .seconds(10))
        #expect(unauthorized.status.code == 401)

        await server.stop()
        await #expect(throws: (any Error).self) {
            _ = try await HTTPClient.shared.execute(HTTPClientRequest(url: server.baseURL + "/people/people"), timeout: .seconds(2))
        }
    }

    @Test func latencyDelaysEveryResponse() async throws {
        var options = SandboxOptions()
        options.latency = .milliseconds(150)
        let server = try await SandboxServer.start(options: options)
        defer { Task { await server.stop() } }
        var request = HTTPClientRequest(url: server.baseURL + "/people/people/PER-00001")
        request.headers.add(name: "Authorization", value: "Bearer test")
        let start = ContinuousClock.now
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        #expect(response.status.code == 200)
        #expect(ContinuousClock.now - start >= .milliseconds(150))
        await server.stop()
    }

    @Test func aTakenPortIsAnError() async throws {
        let server = try await SandboxServer.start()
        do {
            _ = try await SandboxServer.start(port: server.port)
            Issue.record("a second server bound the same port")
        } catch let error as SandboxError {
            #expect(error.description == "could not listen on 127.0.0.1:\(server.port): Address already in use")
        }
        await server.stop()
    }
}
