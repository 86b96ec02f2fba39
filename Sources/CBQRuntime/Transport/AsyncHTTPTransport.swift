#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AsyncHTTPClient
import CBQCore
import NIOCore
import NIOHTTP1
import NIOPosix

/// The real transport: one AsyncHTTPClient shared by every request of a run, so connections
/// are reused (keep-alive, and TLS sessions for https). Redirects are not followed: a redirect
/// could carry the token to another host, so it is reported instead.
public final class AsyncHTTPTransport: HTTPTransport {
    private let client: HTTPClient
    private let requestTimeout: Duration
    /// One event-loop thread for every connection: it only moves bytes (pages are indexed on
    /// the task pool), and a second one on a 2-core machine only adds thread hand-offs.
    static let eventLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    /// Larger bodies are refused: a page is tens of kilobytes.
    public static let maxBodySize = 256 << 20
    private let maxBodySize: Int

    public init(connectTimeout: Duration = .seconds(10), requestTimeout: Duration = .seconds(60), maxBodySize: Int = AsyncHTTPTransport.maxBodySize) {
        self.maxBodySize = maxBodySize
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .nanoseconds(connectTimeout.inNanoseconds))
        // As many connections as requests in flight (--concurrency is at most 64): with fewer,
        // requests queue for a connection and the window is smaller than it says.
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        configuration.decompression = .enabled(limit: .ratio(50))
        // No tracing: by default every request starts a span on the process's tracer (a no-op
        // one here) and fills in its attributes, on the event loop.
        configuration.tracing.tracer = nil
        client = HTTPClient(eventLoopGroup: Self.eventLoop, configuration: configuration)
        self.requestTimeout = requestTimeout
    }

    public func send(_ request: HTTPRequestSpec) async throws -> HTTPReply {
        var headers = HTTPHeaders()
        for header in request.headers { headers.add(name: header.name, value: header.value) }
        headers.add(name: "Accept-Encoding", value: "gzip, deflate")
        let outgoing: HTTPClient.Request
        do {
            outgoing = try HTTPClient.Request(url: request.url.description, method: HTTPMethod(rawValue: request.method.rawValue), headers: headers,
                                              body: request.body.map { .bytes($0) })
        } catch {
            throw TransportError(.other, "not a valid request URL: \(request.url)")
        }
        do {
            // The future-based call collects the body on the event loop and hands it over once;
            // the async body stream hands over every TCP read, which cost 4x the system time here.
            let task = client.execute(request: outgoing, delegate: BodyCollector(maxBodySize: maxBodySize),
                                      deadline: .now() + .nanoseconds(requestTimeout.inNanoseconds))
            // Cancelling the query (Ctrl-C) cancels the request on the wire, at once.
            let response = try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
            return HTTPReply(status: Int(response.head.status.code), headers: response.head.headers.map { ($0.name, $0.value) },
                             body: response.body)
        } catch let error as HTTPClientError {
            switch error {
            case .connectTimeout: throw TransportError(.connect, "could not connect to \(request.url.host) in time")
            case .deadlineExceeded, .readTimeout: throw TransportError(.timeout, "no complete answer from \(request.url.host) within \(requestTimeout)")
            case .remoteConnectionClosed: throw TransportError(.reset, "\(request.url.host) closed the connection")
            case .cancelled: throw CancellationError()
            default:
                // This error quotes the header it refuses, which may be the Authorization one.
                if "\(error)".hasPrefix("HTTPClientError.invalidHeaderField") {
                    throw TransportError(.other, "a request header holds a character HTTP does not allow; nothing was sent")
                }
                throw TransportError(.other, "\(error)")
            }
        } catch is BodyCollector.TooLarge {
            throw TransportError(.tooLarge, maxBodySize >= 1 << 20 ? "the response is larger than \(maxBodySize >> 20) MiB"
                                                               : "the response is larger than \(maxBodySize) bytes")
        } catch let error as CancellationError {
            throw error
        } catch let error as TransportError {
            throw error
        } catch let error as IOError where Self.neverConnected.contains(error.errnoCode) {
            // Refused or unreachable: no connection was made, so nothing was sent. (AsyncHTTPClient
            // keeps trying until the connect timeout, then reports the last attempt's error.)
            throw TransportError(.connect, "could not reach \(request.url.host):\(request.url.port): \(Self.reason(error.errnoCode))")
        } catch is NIOConnectionError {
            throw TransportError(.connect, "could not reach \(request.url.host):\(request.url.port): no address answered")
        } catch ChannelError.connectTimeout {
            throw TransportError(.connect, "could not connect to \(request.url.host) in time")
        } catch {
            // DNS failures, TLS errors, a reset mid-exchange: NIO reports them as various types,
            // and the request may have left, so a POST is not repeated after one.
            throw TransportError(.reset, "the connection to \(request.url.host):\(request.url.port) failed: \(error)")
        }
    }

    /// Errors of `connect(2)` that mean the connection was never made.
    private static let neverConnected: Set<Int32> = [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH]

    private static func reason(_ code: Int32) -> String {
        switch code {
        case ECONNREFUSED: return "connection refused"
        case ENETUNREACH: return "network unreachable"
        default: return "host unreachable"
        }
    }

    /// Closes every connection; call once at the end of a run.
    public func shutdown() async {
        try? await client.shutdown()
    }
}

/// Collects a response into one array as its parts arrive: each part is copied once, where
/// AsyncHTTPClient's ResponseAccumulator grew a buffer of its own that was then copied again.
///
/// AsyncHTTPClient calls a delegate on its task's event loop, one call at a time, so the state
/// needs no lock; hence `@unchecked Sendable`.
final class BodyCollector: HTTPClientResponseDelegate, @unchecked Sendable {
    struct Response: Sendable {
        var head: HTTPResponseHead
        var body: [UInt8]
    }

    struct TooLarge: Error {}

    private let maxBodySize: Int
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []

    init(maxBodySize: Int) { self.maxBodySize = maxBodySize }

    func didReceiveHead(task: HTTPClient.Task<Response>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        if let length = head.headers.first(name: "Content-Length").flatMap({ Int($0) }) {
            guard length <= maxBodySize else { return task.eventLoop.makeFailedFuture(TooLarge()) }
            // What the server announced, up to a few pages' worth: a claim is not an allocation.
            body.reserveCapacity(min(max(length, 0), 4 << 20))
        }
        self.head = head
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Response>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        guard body.count + buffer.readableBytes <= maxBodySize else { return task.eventLoop.makeFailedFuture(TooLarge()) }
        buffer.withUnsafeReadableBytes { body.append(contentsOf: $0) }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<Response>) throws -> Response {
        guard let head else { throw TransportError(.reset, "the answer ended before its head") }
        return Response(head: head, body: body)
    }
}
