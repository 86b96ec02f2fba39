/// Where the bearer token comes from. The sender asks for it before the first request to the
/// target, and once more with `refresh: true` after a 401, so a provider of expiring tokens
/// (OAuth client credentials) can fetch a new one.
public protocol CredentialsProvider: Sendable {
    /// The token to send, or nil for none (the sandbox, a loopback test server).
    func token(refresh: Bool) async throws -> String?
    /// After the API refused `refused` (a 401): a new token, unless another request has
    /// renewed it already (pages in flight are refused together, and one renewal serves all).
    func token(replacing refused: String) async throws -> String?
}

extension CredentialsProvider {
    public func token(replacing refused: String) async throws -> String? { try await token(refresh: true) }
}

/// A token that does not change: `$CASEBOOK_TOKEN`, `--token-file`. A refresh gives the same
/// token, so a 401 fails after one attempt.
public struct FixedToken: CredentialsProvider {
    private let value: String?

    public init(_ value: String?) { self.value = value }

    public func token(refresh: Bool) async throws -> String? { value }
}
