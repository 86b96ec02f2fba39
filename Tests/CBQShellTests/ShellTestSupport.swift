import CBQCore
import CBQRuntime
import CBQSandbox
import Synchronization
@testable import CBQShell

/// A transport that hands each request to the sandbox's API core in this process: no socket,
/// no server, the same answers.
final class InProcessTransport: HTTPTransport {
    let api: SandboxAPI
    static let baseURL = "http://sandbox.test"
    private let log = Mutex<[HTTPRequestSpec]>([])

    /// Changes each response body before the client sees it (a server that misbehaves).
    let alter: (@Sendable ([UInt8]) -> [UInt8])?
    /// Changes each request's path and query before the sandbox reads it (a server that
    /// ignores a parameter).
    let rewrite: (@Sendable (String) -> String)?

    /// Where the sandbox's links point: ``baseURL`` unless a test serves it as another origin.
    let origin: String

    /// Answers a request instead of the sandbox, where it returns a reply (a server of its own).
    let answer: (@Sendable (HTTPRequestSpec) -> HTTPReply?)?

    init(options: SandboxOptions = SandboxOptions(), alter: (@Sendable ([UInt8]) -> [UInt8])? = nil,
         rewrite: (@Sendable (String) -> String)? = nil, origin: String = InProcessTransport.baseURL,
         answer: (@Sendable (HTTPRequestSpec) -> HTTPReply?)? = nil) {
        api = SandboxAPI(options: options)
        self.origin = origin
        self.alter = alter
        self.rewrite = rewrite
        self.answer = answer
    }

    var sent: [HTTPRequestSpec] { log.withLock { $0 } }
    /// When each request arrived, and the status it was answered.
    private let timeline = Mutex<[(sent: ContinuousClock.Instant, status: Int)]>([])
    var answers: [(sent: ContinuousClock.Instant, status: Int)] { timeline.withLock { $0 } }

    func send(_ request: HTTPRequestSpec) async throws -> HTTPReply {
        log.withLock { $0.append(request) }
        if let reply = answer?(request) { return reply }
        let arrived = ContinuousClock.now
        let headers = Dictionary(request.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        let target = rewrite?(request.url.pathAndQuery) ?? request.url.pathAndQuery
        let response = api.handle(SandboxRequest(method: request.method.rawValue, target: target, headers: headers,
                                                 body: request.body ?? []), baseURL: origin)
        timeline.withLock { $0.append((arrived, response.status)) }
        if response.dropsConnection { throw TransportError(.reset, "the sandbox closed the connection without answering") }
        return HTTPReply(status: response.status, headers: response.headers, body: alter?(response.body) ?? response.body)
    }
}

/// A session on the in-process sandbox, with its screen and standard error in memory.
struct ShellHarness {
    let screen = MemorySink()
    let errors = MemorySink()
    let transport: InProcessTransport
    let session: Session

    /// - Parameters: target: the sandbox unless given; terminal: errors as on a terminal (carets).
    init(target: Target? = nil, format: OutputFormat = .table, terminal: Bool = false, sandbox: SandboxOptions = SandboxOptions(),
         parameters: [String: Literal] = [:], environment: [String: String] = [:], maxPages: Int = 10_000,
         maxLocalRows: Int = 1_000_000, now: String = "2026-12-01T09:30:00Z", sparseFieldsets: Bool = false,
         resourceTypes: [String: String] = [:], concurrency: Int = 8, transport shared: InProcessTransport? = nil,
         screenHeight: Int? = nil, screenColors: Bool = false) {
        transport = shared ?? InProcessTransport(options: sandbox)
        let console = Console(screen: screen, errors: errors, errorsAreTerminal: terminal, screenColors: screenColors, screenHeight: { screenHeight })
        var plannerOptions = PlannerOptions()
        plannerOptions.parameters = parameters
        plannerOptions.now = Instant(now)!
        plannerOptions.sparseFieldsets = sparseFieldsets
        plannerOptions.resourceTypes = resourceTypes
        var execution = ExecutionOptions()
        execution.retry.baseDelay = .milliseconds(1)
        execution.retry.maxDelay = .milliseconds(2)
        execution.maxPages = maxPages
        execution.maxLocalRows = maxLocalRows
        execution.concurrency = concurrency
        session = Session(target: target ?? .sandbox(at: InProcessTransport.baseURL), plannerOptions: plannerOptions, execution: execution,
                          transport: transport, console: console, format: format)
        session.showsProgress = false
        session.environment = { environment[$0] }
    }

    /// Runs statements as a script does; returns the exit status.
    @discardableResult
    func run(_ text: String, name: String = "<query>") async -> Int32 {
        let status = await session.run(SourceText(text, name: name))
        session.finish()
        return status
    }

    /// Types `lines` into the interactive loop, then ends input.
    @discardableResult
    func type(_ lines: [LineInput]) async -> ScriptedLines {
        let reader = ScriptedLines(lines)
        _ = await session.runInteractive(reader)
        return reader
    }

    @discardableResult
    func type(_ lines: String...) async -> ScriptedLines { await type(lines.map { .line($0) }) }

    var output: String { screen.text }
    var errorText: String { errors.text }
}
