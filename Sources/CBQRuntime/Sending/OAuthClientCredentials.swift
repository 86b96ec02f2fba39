import CBQCore

/// OAuth 2.0 client credentials (RFC 6749 §4.4): posts `grant_type=client_credentials` with the
/// client's id and secret to the token URL as a form, keeps the access token in memory for its
/// `expires_in` (Casebook's last an hour), and fetches a new one shortly before it expires or
/// when the sender asks after a 401.
///
///     let credentials = OAuthClientCredentials(tokenURL: url, clientID: "cbq", secret: secret, transport: transport)
///     let sender = RequestSender(transport: transport, origin: origin, credentials: credentials)
///
/// The secret goes to the token URL only, and appears in no error. Many pages asking at once
/// share one fetch.
public actor OAuthClientCredentials: CredentialsProvider {
    public let tokenURL: RequestURL
    public let clientID: String
    private let secret: String
    private let transport: any HTTPTransport
    /// Seconds since 1970; the system clock unless a test fixes it.
    private let now: @Sendable () -> Double
    /// A token this close to its expiry is fetched anew.
    private let margin: Double

    private var cached: (token: String, expires: Double, lifetime: Double)?
    private var pending: Task<(token: String, expires: Double, lifetime: Double), any Error>?
    /// Token requests sent, for tests and `\conninfo`.
    public private(set) var fetches = 0

    public init(tokenURL: RequestURL, clientID: String, secret: String, transport: any HTTPTransport,
                margin: Double = 60, now: @escaping @Sendable () -> Double = { Double(RetryPolicy().now()) }) {
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.secret = secret
        Secrets.register(secret)
        Secrets.register(PercentEncoding.queryComponent(secret))  // as the form carries it, should a server echo the form
        self.transport = transport
        self.margin = margin
        self.now = now
    }

    public func token(replacing refused: String) async throws -> String? {
        if let cached, cached.token != refused, now() < cached.expires { return cached.token }  // renewed already
        return try await token(refresh: true)
    }

    public func token(refresh: Bool) async throws -> String? {
        // Pages in flight that were refused together share the one fetch that is under way.
        if let pending { return try await pending.value.token }
        // Renewed a minute before it expires, or half way through a short lifetime.
        if !refresh, let cached, now() < cached.expires - min(margin, cached.lifetime / 2) { return cached.token }
        let task = Task { try await self.fetch() }
        pending = task
        defer { pending = nil }
        let result = try await task.value
        cached = result
        return result.token
    }

    private func fetch() async throws -> (token: String, expires: Double, lifetime: Double) {
        fetches += 1
        let form = [("grant_type", "client_credentials"), ("client_id", clientID), ("client_secret", secret)]
            .map { PercentEncoding.queryComponent($0.0) + "=" + PercentEncoding.queryComponent($0.1) }.joined(separator: "&")
        let request = HTTPRequestSpec(method: .post, url: tokenURL,
                                      headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json"),
                                                ("User-Agent", RequestSender.userAgent)],
                                      body: Array(form.utf8))
        let reply: HTTPReply
        do {
            reply = try await transport.send(request)
        } catch let error as TransportError {
            throw CredentialsError("could not reach the token URL \(tokenURL): \(error)")
        }
        let document = try? JSONParser.parse(reply.body)
        guard (200..<300).contains(reply.status) else {
            // RFC 6749 §5.2: {"error": "invalid_client", "error_description": "…"}
            let reason = [document?["error"]?.stringValue, document?["error_description"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
            throw CredentialsError("the token URL \(tokenURL) answered \(reply.status)" + (reason.isEmpty ? "" : " (\(reason))"))
        }
        guard let token = document?["access_token"]?.stringValue, !token.isEmpty else {
            throw CredentialsError("the token URL \(tokenURL) answered without an access_token")
        }
        if let problem = Secrets.problem(in: token) {
            throw CredentialsError("the token URL \(tokenURL) answered an access_token with \(problem); nothing was sent with it")
        }
        Secrets.register(token)
        let lifetime: Double
        if case .number(let seconds)? = document?["expires_in"], seconds > 0 { lifetime = seconds } else { lifetime = 3600 }
        return (token, now() + lifetime, lifetime)
    }
}

/// Why no token could be had (from the token URL, or a token command); it names where it
/// asked, never a secret.
public struct CredentialsError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
