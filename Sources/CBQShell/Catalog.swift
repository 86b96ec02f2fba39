import CBQCore
import Synchronization

/// What the shell knows about endpoints and their columns: the guide's endpoints, the ones used
/// this session, and the columns seen in responses (remembered per endpoint). Completion reads
/// only this, so it never waits on the network.
public final class Catalog: Sendable {
    private struct State {
        var endpoints = KnownEndpoint.all.map(\.qualifiedName)
        var columns: [String: [String]] = [:]
        var types: [String: String] = [:]
        var profiles: [String] = []
    }
    private let state = Mutex(State())

    public var endpoints: [String] { state.withLock { $0.endpoints } }

    public func columns(of endpoint: String) -> [String] { state.withLock { $0.columns[endpoint] ?? [] } }

    /// Every column seen this session, for a statement whose FROM is not typed yet.
    public var allColumns: [String] {
        state.withLock { state in
            var all: [String] = []
            for endpoint in state.endpoints { for column in state.columns[endpoint] ?? [] where !all.contains(column) { all.append(column) } }
            return all
        }
    }

    /// The resource types the API showed, by endpoint: what an INSERT sends.
    public var types: [String: String] { state.withLock { $0.types } }

    /// The profiles of config.toml, for `\connect`.
    public var profiles: [String] {
        get { state.withLock { $0.profiles } }
        set { state.withLock { $0.profiles = newValue } }
    }

    /// Forgets what one server showed (the types an INSERT would send) when another is queried.
    public func forgetTypes() { state.withLock { $0.types = [:] } }

    public func learn(endpoint: String, type: String) {
        state.withLock { $0.types[endpoint] = type }
    }

    public func learn(endpoint: String, columns: [String]) {
        state.withLock { state in
            if !state.endpoints.contains(endpoint) { state.endpoints.append(endpoint) }
            var known = state.columns[endpoint] ?? []
            for column in columns where !known.contains(column) { known.append(column) }
            state.columns[endpoint] = known
        }
    }
}
