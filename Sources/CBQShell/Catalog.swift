import CBQCore
import CBQRuntime
import Synchronization

/// What the shell knows about endpoints and their columns: the guide's endpoints, the ones used
/// this session, and the columns seen in responses (remembered per endpoint). Completion reads
/// only this, so it never waits on the network.
public final class Catalog: Sendable {
    private struct State {
        var endpoints = KnownEndpoint.all.map(\.qualifiedName)
        var columns: [String: [String]] = [:]
        var kinds: [String: [String: ColumnKind]] = [:]
        /// Rows the kinds were inferred from, per endpoint.
        var rowsSeen: [String: Int] = [:]
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

    /// What the catalog knows, as JSON, for ``CatalogCache``: per endpoint its columns in order,
    /// their kinds and nulls, the rows they came from, and the resource type.
    public func snapshot() -> JSONValue {
        state.withLock { state in
            var endpoints: [JSONMember] = []
            for (endpoint, columns) in state.columns.sorted(by: { $0.key < $1.key }) {
                let kinds = state.kinds[endpoint] ?? [:]
                var members = [JSONMember("columns", .array(columns.map { .string($0) })),
                               JSONMember("kinds", .object(columns.compactMap { column in
                                   kinds[column].map { JSONMember(column, .object([JSONMember("kind", .string($0.kind.rawValue)),
                                                                                      JSONMember("nulls", .bool($0.nullSeen))])) }
                               })),
                               JSONMember("rows", .number(Double(state.rowsSeen[endpoint] ?? 0)))]
                if let type = state.types[endpoint] { members.append(JSONMember("type", .string(type))) }
                endpoints.append(JSONMember(endpoint, .object(members)))
            }
            return .object([JSONMember("version", .number(1)), JSONMember("endpoints", .object(endpoints))])
        }
    }

    /// Takes what a ``snapshot()`` held (a cache from an earlier session); what this session
    /// learns is added to it.
    public func restore(_ value: JSONValue) {
        guard value["version"] == .number(1), case .object(let endpoints)? = value["endpoints"] else { return }
        for member in endpoints {
            guard case .array(let names)? = member.value["columns"] else { continue }
            let columns = names.compactMap(\.stringValue)
            learn(endpoint: member.key, columns: columns)
            state.withLock { state in
                if case .object(let kinds)? = member.value["kinds"] {
                    var known = state.kinds[member.key] ?? [:]
                    for kind in kinds {
                        guard let name = kind.value["kind"]?.stringValue, let parsed = ColumnKind.Kind(rawValue: name) else { continue }
                        known[kind.key] = ColumnKind(kind: parsed, nullSeen: kind.value["nulls"] == .bool(true))
                    }
                    state.kinds[member.key] = known
                }
                if case .number(let rows)? = member.value["rows"], rows >= 0, rows < 1e9 { state.rowsSeen[member.key] = Int(rows) }
                if let type = member.value["type"]?.stringValue { state.types[member.key] = type }
            }
        }
    }

    /// Forgets every endpoint's columns and kinds (another target's catalog comes in).
    public func forgetColumns() {
        state.withLock { state in
            state.columns = [:]
            state.kinds = [:]
            state.rowsSeen = [:]
            state.types = [:]
        }
    }

    /// A column's kind, as the rows seen so far tell; nil for a column never seen.
    public func kind(of column: String, in endpoint: String) -> ColumnKind? { state.withLock { $0.kinds[endpoint]?[column] } }

    /// The columns whose values were all timestamps, by endpoint: the planner reads a string
    /// compared with one as a timestamp.
    public var timestampColumns: [String: Set<String>] {
        state.withLock { state in
            state.kinds.mapValues { kinds in Set(kinds.filter { $0.value.kind == .timestamp }.map(\.key)) }.filter { !$0.value.isEmpty }
        }
    }

    /// How many rows of an endpoint its columns' kinds come from.
    public func rowsSeen(of endpoint: String) -> Int { state.withLock { $0.rowsSeen[endpoint] ?? 0 } }

    /// Learns an endpoint's columns, their kinds and nulls from rows of it (a response's first
    /// rows: enough to tell, cheap to read).
    public func learn(endpoint: String, rows: ArraySlice<RawRow>) {
        guard let first = rows.first else { return }
        var seen: [String: ColumnKind] = [:]
        for row in rows {
            let bytes = row.page.bytes
            seen["id", default: ColumnKind()].add(ColumnKind.of(bytes[row.id]) ?? .unknown)
            for member in row.attributes {
                var kind = seen[member.key, default: ColumnKind()]
                if let value = ColumnKind.of(bytes[member.value]) { kind.add(value) } else { kind.nullSeen = true }
                seen[member.key] = kind
            }
        }
        learn(endpoint: endpoint, columns: first.columnNames)
        state.withLock { state in
            var known = state.kinds[endpoint] ?? [:]
            for (column, kind) in seen {
                var merged = known[column] ?? ColumnKind()
                merged.add(kind.kind)
                merged.nullSeen = merged.nullSeen || kind.nullSeen
                known[column] = merged
            }
            state.kinds[endpoint] = known
            state.rowsSeen[endpoint, default: 0] += rows.count
        }
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
