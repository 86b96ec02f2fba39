/// One HTTP exchange, independent of the client library, so the executor can be tested with
/// a scripted transport and run with AsyncHTTPClient.
public struct HTTPRequestSpec: Sendable {
    public var method: String
    public var url: RequestURL
    public var headers: [(name: String, value: String)]

    public init(method: String = "GET", url: RequestURL, headers: [(name: String, value: String)]) {
        self.method = method
        self.url = url
        self.headers = headers
    }
}

public struct HTTPReply: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

public protocol HTTPTransport: Sendable {
    /// Sends one request. Throws ``TransportError`` for failures below HTTP (connect, timeout).
    func send(_ request: HTTPRequestSpec) async throws -> HTTPReply
}

public struct TransportError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case connect, timeout, tooLarge, other }
    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
