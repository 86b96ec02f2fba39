/// An absolute http(s) URL, split just enough to compare origins and resolve links. cbq
/// sends its token only to the origin it was pointed at, so this comparison is the guard.
public struct RequestURL: Hashable, Sendable, CustomStringConvertible {
    public var scheme: String      // "http" or "https", lower case
    public var host: String        // lower case; IPv6 in brackets
    public var port: Int           // explicit, or the scheme's default
    public var pathAndQuery: String

    public init?(_ text: String) {
        guard let schemeEnd = text.firstRange(of: "://") else { return nil }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { (c: Character) in c == "/" || c == "?" || c == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if authority.contains("@") { return nil }  // credentials in URLs are refused
        var port = scheme == "https" ? 443 : 80
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            guard let explicit = Int(authority[authority.index(after: colon)...]), (1...65_535).contains(explicit) else { return nil }
            port = explicit
            authority = authority[..<colon]
        }
        guard !authority.isEmpty else { return nil }
        var pathAndQuery = String(rest[authorityEnd...])
        if let hash = pathAndQuery.firstIndex(of: "#") { pathAndQuery = String(pathAndQuery[..<hash]) }
        if pathAndQuery.isEmpty || pathAndQuery.hasPrefix("?") { pathAndQuery = "/" + pathAndQuery }
        self.scheme = scheme
        self.host = authority.lowercased()
        self.port = port
        self.pathAndQuery = pathAndQuery
    }

    /// Scheme, host and port: what must match before a token may go along.
    public var origin: String { "\(scheme)://\(host):\(port)" }

    public var path: String { String(pathAndQuery.prefix { $0 != "?" }) }

    public var query: String? {
        pathAndQuery.firstIndex(of: "?").map { String(pathAndQuery[pathAndQuery.index(after: $0)...]) }
    }

    /// `localhost`, `[::1]`, or an IPv4 address in 127.0.0.0/8: a literal address, since a
    /// name such as `127.example.org` can resolve anywhere.
    public var isLoopback: Bool {
        if host == "localhost" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCII) && UInt8($0) != nil }
    }

    public var description: String {
        let defaultPort = scheme == "https" ? 443 : 80
        return "\(scheme)://\(host)\(port == defaultPort ? "" : ":\(port)")\(pathAndQuery)"
    }

    /// Resolves a link from a response against this URL (RFC 3986, the cases servers use:
    /// absolute, scheme-relative `//host/…`, absolute-path `/…`, query-only `?…`, and relative paths).
    public func resolve(_ reference: String) -> RequestURL? {
        if reference.contains("://") { return RequestURL(reference) }
        if reference.hasPrefix("//") { return RequestURL(scheme + ":" + reference) }
        var copy = self
        if reference.hasPrefix("/") {
            copy.pathAndQuery = reference
        } else if reference.hasPrefix("?") {
            copy.pathAndQuery = path + reference
        } else {
            let directory = path.hasSuffix("/") ? path : String(path[..<(path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.endIndex)])
            copy.pathAndQuery = directory + reference
        }
        if let hash = copy.pathAndQuery.firstIndex(of: "#") { copy.pathAndQuery = String(copy.pathAndQuery[..<hash]) }
        return copy
    }
}

extension RequestURL {
    /// Where `text` writes a URL's user part (`bob:pw` of `https://bob:pw@host/x`), for each
    /// URL in it: what history must not keep and `cbq config` shows as `••••`. A URL that
    /// carries one is refused (``init(_:)``); these find it in text that is no URL as a whole.
    public static func userInfoRanges(in text: String) -> [Range<String.Index>] {
        var found: [Range<String.Index>] = []
        var rest = Substring(text)
        while let separator = rest.firstRange(of: "://") {
            rest = rest[separator.upperBound...]
            let authority = rest.prefix { !"/?# \t\n'\"".contains($0) }
            if let at = authority.lastIndex(of: "@") { found.append(authority.startIndex..<at) }
        }
        return found
    }
}
