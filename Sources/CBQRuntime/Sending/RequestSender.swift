import CBQCore

/// One API request as the sender sees it: a method, a URL and an optional JSON:API body.
public struct APIRequest: Sendable {
    public var method: RequestMethod
    public var url: RequestURL
    public var body: [UInt8]?

    public init(_ method: RequestMethod, _ url: RequestURL, body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.body = body
    }
}

/// The answer to an ``APIRequest`` that the sender let through: a 2xx, or a status the caller
/// said it handles itself (a 404 past the last page).
public struct APIResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Requests sent for this answer: 1, plus one per retry (and per token refresh).
    public var attempts: Int
    /// Time spent waiting between attempts (backoff, Retry-After).
    public var waited: Duration = .zero
    /// An earlier attempt may have reached the server and been acted on: its connection was
    /// lost after sending, or it was answered 5xx. (A 429 or a connection never made was not.)
    public var earlierAttemptMayHaveActed = false
    /// Attempts answered 429 or 503: the server asked to slow down.
    public var throttled = 0

    public func header(_ name: String) -> String? {
        headers.first { sameHeaderName($0.name, name) }?.value
    }
}

/// Sends requests to one API: adds the headers, asks the credentials provider for the token
/// (sent to the API's own origin only), retries what is safe to retry, and turns error statuses
/// into ``ExecutionError``s. It knows nothing of pages or rows.
///
///     let sender = RequestSender(transport: transport, origin: "https://api.casebook.net:443",
///                                credentials: FixedToken(token))
///     let response = try await sender.send(APIRequest(.get, url))
///
/// A 401 asks the provider once more (a refreshable token may have expired) before failing.
public struct RequestSender: Sendable {
    public let transport: any HTTPTransport
    /// `scheme://host:port` of the target: the only origin that gets the token.
    public let origin: String
    public let credentials: any CredentialsProvider
    public let retry: RetryPolicy
    /// The window requests share (several pages at once): nil sends each as it comes.
    public let throttle: Throttle?

    public init(transport: any HTTPTransport, origin: String, credentials: any CredentialsProvider = FixedToken(nil),
                retry: RetryPolicy = RetryPolicy(), throttle: Throttle? = nil) {
        self.transport = transport
        self.origin = origin
        self.credentials = credentials
        self.retry = retry
        self.throttle = throttle
    }

    static let userAgent = "cbq/0.1"
    static let mediaType = "application/vnd.api+json"

    /// Sends `request` until it succeeds, fails for good, or runs out of attempts.
    ///
    /// - Parameter passing: statuses handed back instead of thrown (e.g. 404 for a page past
    ///   the end, or a resource that does not exist).
    public func send(_ request: APIRequest, passing: Set<Int> = []) async throws -> APIResponse {
        var attempt = 0
        var waited = Duration.zero
        var refreshed = false
        var mayHaveActed = false
        var throttled = 0
        var token = request.url.origin == origin ? try await credentials.token(refresh: false) : nil
        while true {
            attempt += 1
            try Task.checkCancellation()
            let ticket = try await throttle?.enter()
            if let ticket { waited += ticket.waited }  // a pause the server asked of every request
            let reply: HTTPReply
            do {
                reply = try await transport.send(spec(request, token: token))
                if let ticket { throttle?.leave(ticket, answer: reply) }
            } catch let error as TransportError {
                if let ticket { throttle?.leave(ticket, answer: nil) }
                guard attempt < retry.maxAttempts, retry.mayRepeat(request.method, after: .transport(error.kind)) else {
                    throw ExecutionError.transport(error, method: request.method.rawValue, url: request.url.description, attempts: attempt)
                }
                if error.kind != .connect { mayHaveActed = true }
                let pause = retry.backoff(afterAttempt: attempt)
                try await Task.sleep(for: pause)
                waited += pause
                continue
            } catch {
                if let ticket { throttle?.leave(ticket, answer: nil) }
                throw error
            }
            if reply.status == 429 || reply.status == 503 { throttled += 1 }
            if reply.status == 401, let refused = token, !refreshed {
                // The token may have expired since it was read: ask once more, and try once more
                // if the provider has a different one.
                refreshed = true
                let fresh = try await credentials.token(replacing: refused)
                if let fresh, fresh != token {
                    token = fresh
                    continue
                }
            }
            let retryAfter = reply.header("Retry-After")
            if attempt < retry.maxAttempts,
               retry.mayRepeat(request.method, after: .status(reply.status)) {
                switch retry.pause(afterAttempt: attempt, retryAfter: retryAfter) {
                case .wait(let pause):
                    if reply.status >= 500 { mayHaveActed = true }
                    // The throttle holds every request for a Retry-After it could read, this one
                    // included; one it could not read gets the backoff here.
                    if throttle != nil, reply.status == 429 || reply.status == 503,
                       let retryAfter, RetryPolicy.retryAfterSeconds(retryAfter, now: retry.now()) != nil { continue }
                    try await Task.sleep(for: pause)
                    waited += pause
                    continue
                case .refuse(let seconds):
                    throw ExecutionError.api(status: reply.status, method: request.method.rawValue, url: request.url.description,
                                             errors: [APIErrorItem(title: "Retry-After too long", detail: "the API asks to wait \(seconds) s")],
                                             attempts: attempt)
                }
            }
            guard (200..<300).contains(reply.status) || passing.contains(reply.status) else {
                var errors = APIErrorItem.all(in: (try? PageIndexer.index(reply.body))?.errors)
                if (300..<400).contains(reply.status), let location = reply.header("Location") {
                    errors.append(Self.redirect(from: request.url, to: location))
                }
                throw ExecutionError.api(status: reply.status, method: request.method.rawValue, url: request.url.description,
                                         errors: errors, attempts: attempt)
            }
            return APIResponse(status: reply.status, headers: reply.headers, body: reply.body, attempts: attempt, waited: waited,
                               earlierAttemptMayHaveActed: mayHaveActed, throttled: throttled)
        }
    }

    /// What a redirect says: cbq follows none (a token or a write must not go where it was not
    /// sent); one that only adds a trailing slash to the path names the setting that fixes it.
    static func redirect(from url: RequestURL, to location: String) -> APIErrorItem {
        let target = url.resolve(location)
        let path = url.pathAndQuery.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let targetPath = target?.pathAndQuery.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        if let target, target.origin == url.origin, let targetPath, targetPath[0] == path[0] + "/" {
            return APIErrorItem(title: "Redirected", detail: "the API wants paths that end with '/' (it redirects to \(target)); "
                                + "pass --trailing-slash, the dialect setting for such servers (cbq follows no redirect)")
        }
        return APIErrorItem(title: "Redirected", detail: "to \(location); cbq follows no redirect, so the token and any write go only where they were sent")
    }

    /// The wire request: JSON:API's media type both ways, and the token for the target only.
    private func spec(_ request: APIRequest, token: String?) -> HTTPRequestSpec {
        var headers: [(name: String, value: String)] = [("Accept", Self.mediaType)]
        // Content-Type on a GET too, as before: some API gateways insist on it.
        headers.append(("Content-Type", Self.mediaType))
        headers.append(("User-Agent", Self.userAgent))
        if let token, request.url.origin == origin { headers.append(("Authorization", "Bearer \(token)")) }
        return HTTPRequestSpec(method: request.method, url: request.url, headers: headers, body: request.body)
    }
}
