/// The methods cbq sends: GET reads, POST, PATCH and DELETE write (the guide's four operations).
public enum RequestMethod: String, Sendable, CaseIterable {
    case get = "GET"
    case post = "POST"
    case patch = "PATCH"
    case delete = "DELETE"

    /// Sending it twice has the effect of sending it once: GET, DELETE, and a PATCH (cbq's
    /// PATCH bodies carry the values to set, never increments). A POST may create twice.
    public var isIdempotent: Bool { self != .post }
}

/// One HTTP exchange, independent of the client library, so the executor can be tested with
/// a scripted transport and run with AsyncHTTPClient.
public struct HTTPRequestSpec: Sendable {
    public var method: RequestMethod
    public var url: RequestURL
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?

    public init(method: RequestMethod = .get, url: RequestURL, headers: [(name: String, value: String)], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
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
        headers.first { sameHeaderName($0.name, name) }?.value
    }
}

/// Whether two header names are the same, ASCII letters compared without case (names are
/// ASCII tokens): the throttle looks for its headers in every answer, and lowercasing both
/// names of every pair made two strings a comparison.
func sameHeaderName(_ a: String, _ b: String) -> Bool {
    var a = a, b = b
    return a.withUTF8 { a in
        b.withUTF8 { b in
            guard a.count == b.count else { return false }
            for index in a.indices where a[index] != b[index] {
                let lower = a[index] | 0x20
                guard lower == b[index] | 0x20, lower >= UInt8(ascii: "a"), lower <= UInt8(ascii: "z") else { return false }
            }
            return true
        }
    }
}

public protocol HTTPTransport: Sendable {
    /// Sends one request. Throws ``TransportError`` for failures below HTTP (connect, timeout).
    func send(_ request: HTTPRequestSpec) async throws -> HTTPReply
}

public struct TransportError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        /// No connection was made (refused, unreachable, connect timeout): nothing was sent.
        case connect
        /// The connection closed or failed once the request may have been sent.
        case reset
        /// No complete answer in time; the server may have acted on the request.
        case timeout
        /// The answer was larger than cbq accepts.
        case tooLarge
        case other
    }
    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
