import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The sandbox API served over HTTP by Hummingbird: embeddable (start, read the URL, stop) and
/// runnable in the foreground by `cbq sandbox`.
///
///     let server = try await SandboxServer.start()          // 127.0.0.1, a free port
///     print(server.baseURL)                                 // http://127.0.0.1:41234
///     await server.stop()
public final class SandboxServer: Sendable {
    public let api: SandboxAPI
    /// `http://host:port`, with the port actually bound.
    public let baseURL: String
    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(api: SandboxAPI, baseURL: String, port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.api = api
        self.baseURL = baseURL
        self.port = port
        self.group = group
        self.task = task
    }

    /// Starts serving and returns once the socket is bound. Port 0 picks a free port.
    /// `stopOnSignals` makes Ctrl-C and SIGTERM stop it gracefully (for the foreground command).
    public static func start(options: SandboxOptions = SandboxOptions(), host: String = "127.0.0.1", port: Int = 0,
                             stopOnSignals: Bool = false) async throws -> SandboxServer {
        let api = SandboxAPI(options: options)
        var logger = Logger(label: "cbq.sandbox")
        logger.logLevel = .warning
        let (bound, boundContinuation) = AsyncStream.makeStream(of: Int?.self)
        let displayHost = host.contains(":") ? "[\(host)]" : host
        let application = Application(
            responder: SandboxResponder(api: api, latency: options.latency),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "cbq-sandbox"),
            onServerRunning: { channel in
                boundContinuation.yield(channel.localAddress?.port)
                boundContinuation.finish()
            },
            logger: logger
        )
        let group = ServiceGroup(
            services: [application], gracefulShutdownSignals: stopOnSignals ? [.sigint, .sigterm] : [], cancellationSignals: [], logger: logger)
        let task = Task { try await group.run() }
        // Either the server reports its port, or run() fails (e.g. the port is taken).
        let watcher = Task {
            do { try await task.value } catch { boundContinuation.finish() }
            boundContinuation.finish()
        }
        var iterator = bound.makeAsyncIterator()
        guard let reported = await iterator.next(), let port = reported else {
            watcher.cancel()
            var reason = "the server stopped before it was ready"
            do { try await task.value } catch let error as IOError {
                reason = String(cString: strerror(error.errnoCode))
            } catch {
                reason = "\(error)"
            }
            throw SandboxError.couldNotBind("\(displayHost):\(port)", reason: reason)
        }
        return SandboxServer(api: api, baseURL: "http://\(displayHost):\(port)", port: port, group: group, task: task)
    }

    /// Finishes in-flight requests, then closes the socket.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// Waits until the server stops (a signal, or ``stop()`` from elsewhere).
    public func wait() async throws {
        try await task.value
    }
}

public enum SandboxError: Error, CustomStringConvertible {
    case couldNotBind(String, reason: String)

    public var description: String {
        switch self {
        case .couldNotBind(let address, let reason): return "could not listen on \(address): \(reason)"
        }
    }
}

/// Thrown from a response body to close the connection without an answer.
struct DroppedAnswer: Error {}

/// Adapts Hummingbird's requests to ``SandboxAPI`` and back.
struct SandboxResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let api: SandboxAPI
    let latency: Duration

    func respond(to request: Request, context: Context) async throws -> Response {
        if latency > .zero { try await Task.sleep(for: latency) }
        var request = request
        let body = try await request.collectBody(upTo: 4 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        // HTTP/1 Host arrives as the request's authority.
        let host = (request.head.authority ?? headers["host"]).map { "http://" + $0 } ?? "http://localhost"
        let answer = api.handle(SandboxRequest(method: request.method.rawValue, target: request.uri.string, headers: headers,
                                               body: Array(buffer: body)), baseURL: host)
        var fields = HTTPFields()
        for header in answer.headers {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        if answer.dropsConnection {
            // The write is done; failing the body closes the connection before any answer
            // reaches the client, which sees a reset.
            return Response(status: .ok, headers: [.contentLength: "1"], body: ResponseBody(contentLength: 1) { _ in throw DroppedAnswer() })
        }
        return Response(status: .init(code: answer.status), headers: fields,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}
