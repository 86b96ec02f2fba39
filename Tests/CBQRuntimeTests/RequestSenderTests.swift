import CBQCore
import Synchronization
import Testing
@testable import CBQRuntime

/// A transport that plays a list of outcomes in order, one per request, and records what it was sent.
final class OutcomeTransport: HTTPTransport {
    enum Outcome: Sendable { case reply(HTTPReply), failure(TransportError.Kind) }
    private let state: Mutex<(outcomes: [Outcome], sent: [HTTPRequestSpec])>

    init(_ outcomes: [Outcome]) { state = Mutex((outcomes, [])) }

    var sent: [HTTPRequestSpec] { state.withLock { $0.sent } }

    func send(_ request: HTTPRequestSpec) async throws -> HTTPReply {
        let outcome = state.withLock { state in
            state.sent.append(request)
            return state.outcomes.isEmpty ? .reply(HTTPReply(status: 599)) : state.outcomes.removeFirst()
        }
        switch outcome {
        case .reply(let reply): return reply
        case .failure(let kind): throw TransportError(kind, "scripted \(kind)")
        }
    }
}

/// Hands out tokens from a list and counts how often it was asked.
final class CountingCredentials: CredentialsProvider {
    private let state: Mutex<(tokens: [String], asked: [Bool])>

    init(_ tokens: [String]) { state = Mutex((tokens, [])) }

    /// The `refresh` argument of each call, in order.
    var asked: [Bool] { state.withLock { $0.asked } }

    func token(refresh: Bool) async throws -> String? {
        state.withLock { state in
            state.asked.append(refresh)
            return state.tokens.count > 1 ? state.tokens.removeFirst() : state.tokens.first
        }
    }
}

/// The request sender on its own: headers, credentials, the retry policy, status mapping.
@Suite(.timeLimit(.minutes(1)))
struct RequestSenderTests {
    static let url = RequestURL("https://api.test/people/people/PER-1")!
    static let ok = HTTPReply(status: 200, body: Array(#"{"data":null}"#.utf8))

    func sender(_ transport: OutcomeTransport, credentials: any CredentialsProvider = FixedToken("t0ken")) -> RequestSender {
        var retry = RetryPolicy()
        retry.baseDelay = .milliseconds(1)
        retry.maxDelay = .milliseconds(2)
        return RequestSender(transport: transport, origin: "https://api.test:443", credentials: credentials, retry: retry)
    }

    @Test func aGetCarriesTheMediaTypeTheAgentAndTheToken() async throws {
        let transport = OutcomeTransport([.reply(Self.ok)])
        let response = try await sender(transport).send(APIRequest(.get, Self.url))
        #expect(response.status == 200 && response.attempts == 1)
        let headers = Dictionary(transport.sent[0].headers.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        #expect(headers == ["Accept": "application/vnd.api+json", "Content-Type": "application/vnd.api+json",
                            "User-Agent": "cbq/0.1", "Authorization": "Bearer t0ken"])
        #expect(transport.sent[0].method == .get && transport.sent[0].body == nil)
    }

    @Test func anotherOriginGetsNoTokenAndTheProviderIsNotAsked() async throws {
        let transport = OutcomeTransport([.reply(Self.ok)])
        let credentials = CountingCredentials(["t0ken"])
        _ = try await sender(transport, credentials: credentials).send(APIRequest(.get, RequestURL("https://api.test:8443/a/b")!))
        #expect(!transport.sent[0].headers.contains { $0.name == "Authorization" })
        #expect(credentials.asked.isEmpty)
    }

    @Test func aBodyIsSentAsIs() async throws {
        let body = Array(#"{"data":{"type":"people","attributes":{"first_name":"Zoë"}}}"#.utf8)
        let transport = OutcomeTransport([.reply(HTTPReply(status: 201, body: body))])
        let response = try await sender(transport).send(APIRequest(.post, RequestURL("https://api.test/people/people")!, body: body))
        #expect(response.status == 201)
        #expect(transport.sent[0].method == .post && transport.sent[0].body == body)
    }

    @Test func aPostIsNotRetriedAfterAConnectionReset() async throws {
        let transport = OutcomeTransport([.failure(.reset), .reply(Self.ok)])
        let error = await #expect(throws: ExecutionError.self) {
            _ = try await sender(transport).send(APIRequest(.post, RequestURL("https://api.test/people/people")!, body: []))
        }
        guard case .transport(let failure, let method, _, let attempts)? = error else { Issue.record("wrong error \(String(describing: error))"); return }
        #expect(failure.kind == .reset && method == "POST" && attempts == 1)
        #expect(transport.sent.count == 1)
    }

    @Test(arguments: [RequestMethod.get, .patch, .delete])
    func anIdempotentRequestIsRetriedAfterAConnectionReset(method: RequestMethod) async throws {
        let transport = OutcomeTransport([.failure(.reset), .failure(.timeout), .reply(Self.ok)])
        let response = try await sender(transport).send(APIRequest(method, Self.url, body: method == .patch ? [] : nil))
        #expect(response.attempts == 3)
        #expect(transport.sent.map(\.method) == [method, method, method])
    }

    @Test func aPostIsRetriedWhenNothingWasSent() async throws {
        let transport = OutcomeTransport([.failure(.connect), .reply(HTTPReply(status: 201))])
        let response = try await sender(transport).send(APIRequest(.post, RequestURL("https://api.test/people/people")!, body: []))
        #expect(response.status == 201 && response.attempts == 2)
    }

    /// A 429 means the server did not act; any 5xx may come from a gateway that passed the
    /// POST on, a 503 that says when to come back too: sent again, it would create twice.
    @Test(arguments: [(429, nil, 2), (429, "0", 2), (503, "0", 1), (503, nil, 1), (502, nil, 1), (504, nil, 1)] as [(Int, String?, Int)])
    func aPostIsRetriedOnlyWhenTheServerProvablyDidNotAct(status: Int, retryAfter: String?, attempts: Int) async throws {
        let refusal = HTTPReply(status: status, headers: retryAfter.map { [("Retry-After", $0)] } ?? [])
        let transport = OutcomeTransport([.reply(refusal), .reply(HTTPReply(status: 201))])
        let sender = sender(transport)
        let request = APIRequest(.post, RequestURL("https://api.test/people/people")!, body: [])
        if attempts == 2 {
            #expect(try await sender.send(request).attempts == 2)
        } else {
            let error = await #expect(throws: ExecutionError.self) { _ = try await sender.send(request) }
            #expect(error?.status == status)
        }
        #expect(transport.sent.count == attempts)
    }

    @Test func a401AsksTheProviderOnceMoreAndSendsTheNewToken() async throws {
        let transport = OutcomeTransport([.reply(HTTPReply(status: 401)), .reply(Self.ok)])
        let credentials = CountingCredentials(["old", "new"])
        let response = try await sender(transport, credentials: credentials).send(APIRequest(.get, Self.url))
        #expect(response.status == 200 && response.attempts == 2)
        #expect(credentials.asked == [false, true])
        #expect(transport.sent.map { $0.headers.first { $0.name == "Authorization" }?.value } == ["Bearer old", "Bearer new"])
    }

    @Test func a401WithTheSameTokenFailsAfterAskingOnce() async throws {
        let transport = OutcomeTransport([.reply(HTTPReply(status: 401)), .reply(HTTPReply(status: 401)), .reply(Self.ok)])
        let credentials = CountingCredentials(["same"])
        let error = await #expect(throws: ExecutionError.self) {
            _ = try await sender(transport, credentials: credentials).send(APIRequest(.get, Self.url))
        }
        #expect(error?.status == 401)
        #expect(credentials.asked == [false, true])
        #expect(transport.sent.count == 1)
    }

    @Test func aSecond401IsNotRefreshedAgain() async throws {
        let transport = OutcomeTransport([.reply(HTTPReply(status: 401)), .reply(HTTPReply(status: 401)), .reply(Self.ok)])
        let credentials = CountingCredentials(["a", "b", "c"])
        let error = await #expect(throws: ExecutionError.self) {
            _ = try await sender(transport, credentials: credentials).send(APIRequest(.get, Self.url))
        }
        #expect(error?.status == 401)
        #expect(credentials.asked == [false, true])
        #expect(transport.sent.count == 2)
    }

    @Test func anErrorStatusNamesTheMethodAndTheAPIErrors() async throws {
        let body = Array(#"{"errors":[{"status":"422","title":"Invalid attribute","detail":"bad date","source":{"pointer":"/data/attributes/date_of_birth"}}]}"#.utf8)
        let transport = OutcomeTransport([.reply(HTTPReply(status: 422, body: body))])
        let error = await #expect(throws: ExecutionError.self) {
            _ = try await sender(transport).send(APIRequest(.patch, Self.url, body: []))
        }
        guard case .api(422, "PATCH", "https://api.test/people/people/PER-1", let errors, 1)? = error else {
            Issue.record("wrong error \(String(describing: error))"); return
        }
        #expect(errors == [APIErrorItem(status: "422", title: "Invalid attribute", detail: "bad date", pointer: "/data/attributes/date_of_birth")])
    }

    @Test func aPassedStatusIsHandedBack() async throws {
        let transport = OutcomeTransport([.reply(HTTPReply(status: 404))])
        #expect(try await sender(transport).send(APIRequest(.get, Self.url), passing: [404]).status == 404)
    }

    @Test func anOversizedAnswerIsNeverRetried() async throws {
        let transport = OutcomeTransport([.failure(.tooLarge), .reply(Self.ok)])
        await #expect(throws: ExecutionError.self) { _ = try await sender(transport).send(APIRequest(.get, Self.url)) }
        #expect(transport.sent.count == 1)
    }

    @Test func retriesStopAtTheAttemptLimit() async throws {
        let transport = OutcomeTransport(Array(repeating: .reply(HTTPReply(status: 503)), count: 9))
        let error = await #expect(throws: ExecutionError.self) { _ = try await sender(transport).send(APIRequest(.get, Self.url)) }
        guard case .api(503, _, _, _, let attempts)? = error else { Issue.record("wrong error"); return }
        #expect(attempts == 5 && transport.sent.count == 5)
    }
}
