import CBQCore

/// An HTTP request as the sandbox sees it: independent of any server library, so the API can be
/// tested in-process and served by Hummingbird alike.
public struct SandboxRequest: Sendable {
    public var method: String
    /// The raw path, still percent-encoded, e.g. `/people/people/PER-00001`.
    public var path: String
    /// The raw query string, without `?`.
    public var query: String
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: [UInt8]

    /// - Parameter target: the request target, `/path?query`.
    public init(method: String = "GET", target: String, headers: [String: String] = ["authorization": "Bearer sandbox"],
                body: [UInt8] = []) {
        self.method = method.uppercased()
        if let mark = target.firstIndex(of: "?") {
            path = String(target[..<mark])
            query = String(target[target.index(after: mark)...])
        } else {
            path = target
            query = ""
        }
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
        self.body = body
    }
}

public struct SandboxResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The request was acted on, and the connection is to close without this answer
    /// (``SandboxOptions/dropWriteEvery``).
    public var dropsConnection = false

    /// The body as JSON (nil when empty or not JSON).
    public var json: JSONValue? { body.isEmpty ? nil : try? JSONParser.parse(body) }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    static func document(_ status: Int, _ body: [UInt8], extraHeaders: [(name: String, value: String)] = []) -> SandboxResponse {
        SandboxResponse(status: status, headers: [("Content-Type", SandboxAPI.mediaType)] + extraHeaders, body: body)
    }

    static func document(_ status: Int, _ value: JSONValue, extraHeaders: [(name: String, value: String)] = []) -> SandboxResponse {
        var bytes: [UInt8] = []
        JSONWriter.write(value, into: &bytes)
        return document(status, bytes, extraHeaders: extraHeaders)
    }
}

/// A JSON:API error object: `{"status", "title", "detail", "source": {"parameter" | "pointer"}}`.
struct APIError: Error {
    var status: Int
    var title: String
    var detail: String
    var parameter: String?
    var pointer: String?
    var headers: [(name: String, value: String)] = []

    static func badParameter(_ parameter: String, _ detail: String) -> APIError {
        APIError(status: 400, title: "Invalid query parameter", detail: detail, parameter: parameter)
    }

    static func invalidWrite(_ pointer: String, _ detail: String) -> APIError {
        APIError(status: 422, title: "Invalid attribute", detail: detail, pointer: pointer)
    }

    var response: SandboxResponse {
        var object: [JSONMember] = [
            JSONMember("status", .string(String(status))), JSONMember("title", .string(title)), JSONMember("detail", .string(detail)),
        ]
        if let parameter { object.append(JSONMember("source", .object([JSONMember("parameter", .string(parameter))]))) }
        if let pointer { object.append(JSONMember("source", .object([JSONMember("pointer", .string(pointer))]))) }
        return .document(status, .object([JSONMember("errors", .array([.object(object)]))]), extraHeaders: headers)
    }
}
