import CBQCore
import CBQSandbox
import Synchronization
@testable import CBQRuntime

/// A transport that answers from a script and records what it was asked: for the cases a
/// well-behaved server cannot produce (link cycles, links to other hosts, repeated rows).
final class ScriptedTransport: HTTPTransport {
    struct Sent: Sendable { var url: String; var headers: [String: String] }
    private let answers: @Sendable (RequestURL) -> HTTPReply
    private let delay: @Sendable (RequestURL) -> Duration
    private let log = Mutex<[Sent]>([])
    private let flight = Mutex((now: 0, most: 0))

    /// - Parameter delay: how long each answer takes (none by default).
    init(delay: @escaping @Sendable (RequestURL) -> Duration = { _ in .zero }, _ answers: @escaping @Sendable (RequestURL) -> HTTPReply) {
        self.answers = answers
        self.delay = delay
    }

    /// The most requests that were waiting for an answer at once.
    var maxInFlight: Int { flight.withLock { $0.most } }

    var sent: [Sent] { log.withLock { $0 } }

    /// The scripted answer to `url`, without recording it.
    func answer(_ url: RequestURL) -> HTTPReply { answers(url) }

    func send(_ request: HTTPRequestSpec) async throws -> HTTPReply {
        log.withLock { $0.append(Sent(url: request.url.description, headers: Dictionary(request.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 }))) }
        let pause = delay(request.url)
        guard pause > .zero else { return answers(request.url) }
        flight.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
        defer { flight.withLock { $0.now -= 1 } }
        try await Task.sleep(for: pause)
        return answers(request.url)
    }
}

/// A JSON:API page of `ids`, with a `next` link when given.
func page(_ ids: [String], next: String? = nil, total: Int? = nil, links: Bool = true) -> HTTPReply {
    var members: [JSONMember] = [JSONMember("data", .array(ids.map { id in
        .object([JSONMember("type", "people"), JSONMember("id", .string(id)), JSONMember("attributes", .object([JSONMember("n", .string(id))]))])
    }))]
    if links { members.append(JSONMember("links", .object(next.map { [JSONMember("next", .string($0))] } ?? []))) }
    if let total { members.append(JSONMember("meta", .object([JSONMember("total", .number(Double(total)))]))) }
    return HTTPReply(status: 200, headers: [("Content-Type", "application/vnd.api+json")], body: Array(JSONWriter.serialize(.object(members)).utf8))
}

/// Runs a statement against a transport; returns the rows' ids and the summary.
func run(_ statement: String, baseURL: String, transport: any HTTPTransport, options: ExecutionOptions = fastOptions(),
         plannerOptions: PlannerOptions = PlannerOptions()) async throws -> (ids: [String], summary: ExecutionSummary) {
    var plannerOptions = plannerOptions
    plannerOptions.baseURL = baseURL
    let plan = try Planner(plannerOptions).planSelect(statement)
    var ids: [String] = []
    let summary = try await Executor(transport: transport, options: options).run(plan) { rows in
        ids += rows.map(\.idText)
    }
    return (ids, summary)
}

/// Retries without real waiting.
func fastOptions(token: String? = "t0ken") -> ExecutionOptions {
    var options = ExecutionOptions()
    options.credentials = FixedToken(token)
    options.retry.baseDelay = .milliseconds(1)
    options.retry.maxDelay = .milliseconds(5)
    return options
}

/// A sandbox server for the duration of `body`.
@discardableResult
func withSandbox<T>(_ configure: (inout SandboxOptions) -> Void = { _ in }, _ body: (SandboxServer) async throws -> T) async throws -> T {
    var options = SandboxOptions()
    configure(&options)
    let server = try await SandboxServer.start(options: options)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// The sandbox's people, in id order, for expectations.
let sandboxPeople = SandboxData.generate(seed: 1)[SandboxData.people.path]!

/// One client for the whole test process: AsyncHTTPClient must be shut down before it is
/// released, and a global never is.
let sharedTransport = AsyncHTTPTransport()
