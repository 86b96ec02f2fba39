import CBQCore

/// One error object of a JSON:API error document.
public struct APIErrorItem: Sendable, Hashable {
    public var status: String?
    public var title: String?
    public var detail: String?
    /// `source.parameter`: the query parameter at fault, e.g. `filter[age][gt]`.
    public var parameter: String?
    /// `source.pointer`: the body member at fault.
    public var pointer: String?

    static func all(in document: JSONValue?) -> [APIErrorItem] {
        guard case .array(let errors)? = document else { return [] }
        return errors.map { error in
            APIErrorItem(status: error["status"]?.scalarText, title: error["title"]?.stringValue, detail: error["detail"]?.stringValue,
                         parameter: error[path: ["source", "parameter"]]?.stringValue,
                         pointer: error[path: ["source", "pointer"]]?.stringValue)
        }
    }
}

/// Why a run failed. Each case names the request (method and URL, never the token).
public enum ExecutionError: Error, Sendable {
    /// The API answered with an error status.
    case api(status: Int, method: String, url: String, errors: [APIErrorItem], attempts: Int)
    /// No HTTP answer: connection refused, timeout, DNS, TLS.
    case transport(TransportError, method: String, url: String, attempts: Int)
    /// A 2xx answer that is not a JSON:API document.
    case malformed(String, url: String)
    /// `links.next` pointed at another origin: following it would send the token there.
    case foreignLink(String, expectedOrigin: String)
    /// A blocking local operator (GROUP BY groups, ORDER BY rows) passed `--max-local-rows`.
    case localRowLimit(Int, operation: String)

    public var status: Int? {
        if case .api(let status, _, _, _, _) = self { return status }
        return nil
    }

    /// The parameters the API blamed, for pointing at the part of the query that made them.
    public var blamedParameters: [String] {
        if case .api(_, _, _, let errors, _) = self { return errors.compactMap(\.parameter) }
        return []
    }
}

extension ExecutionError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .api(let status, let method, let url, let errors, let attempts):
            var lines = ["the API answered \(status) \(Self.reason(status)) to \(method) \(url)"
                         + (attempts > 1 ? " (after \(attempts) attempts)" : "")]
            for error in errors {
                var line = "  " + [error.title, error.detail].compactMap { $0 }.joined(separator: ": ")
                if let parameter = error.parameter { line += " (parameter \(parameter))" }
                if let pointer = error.pointer { line += " (at \(pointer))" }
                lines.append(line)
            }
            return lines.joined(separator: "\n")
        case .transport(let error, let method, let url, let attempts):
            return "\(error) (\(method) \(url)\(attempts > 1 ? ", \(attempts) attempts" : ""))"
        case .malformed(let reason, let url):
            return "the answer to GET \(url) is not a JSON:API document: \(reason)"
        case .foreignLink(let link, let origin):
            return "links.next points to \(link), outside \(origin); cbq does not send your token elsewhere, so it stopped"
        case .localRowLimit(let limit, let operation):
            return "\(operation) would hold more than \(limit) rows in memory (--max-local-rows); stopped"
        }
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 409: return "Conflict"
        case 415: return "Unsupported Media Type"
        case 422: return "Unprocessable Entity"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 300..<400: return "Redirect (not followed)"
        default: return ""
        }
    }
}
