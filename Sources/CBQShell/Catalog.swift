import CBQCore
import CBQRuntime
import Synchronization

/// What the shell knows about one endpoint, and where each fact came from and when.
public struct EndpointFacts: Sendable, Equatable {
    /// Columns in the order first seen (`id`, then attributes and relationships).
    public var columns: [String] = []
    public var kinds: [String: ColumnKind] = [:]
    /// Rows the kinds were inferred from.
    public var rowsSeen = 0
    /// The resource type the API showed.
    public var type: String?
    /// The columns came from whole rows (a read without sparse fieldsets), so a column not
    /// among them is none of the endpoint's: the planner may say so before sending.
    public var complete = false
    /// Where the columns were last learned (`the sandbox's schema`, `a query`, `\refresh`),
    /// and when.
    public var learnedFrom: String?
    public var learnedAt: Instant?
    /// The collection's total from an unfiltered read, and when.
    public var total: Int?
    public var totalAt: Instant?
    /// Filter parameters the server answered 400 for (`filter[age][gt]`), and when: later
    /// plans evaluate those conditions locally.
    public var rejected: [String: Instant] = [:]

    public init() {}
}

/// What the shell knows about endpoints and their columns: the guide's endpoints, the ones used,
/// and per endpoint the facts its responses showed (``EndpointFacts``). Completion and `\d` read
/// only this, so they never wait on the network; the planner takes its columns, timestamp
/// columns and rejected filters as inputs. ``CatalogCache`` keeps it between sessions.
public final class Catalog: Sendable {
    private struct State {
        var endpoints = KnownEndpoint.all.map(\.qualifiedName)
        var facts: [String: EndpointFacts] = [:]
        var profiles: [String] = []
    }
    private let state = Mutex(State())

    public init() {}

    public var endpoints: [String] { state.withLock { $0.endpoints } }

    public func facts(of endpoint: String) -> EndpointFacts? { state.withLock { $0.facts[endpoint] } }

    public func columns(of endpoint: String) -> [String] { state.withLock { $0.facts[endpoint]?.columns ?? [] } }

    /// Every column seen, for a statement whose FROM is not typed yet.
    public var allColumns: [String] {
        state.withLock { state in
            var all: [String] = []
            for endpoint in state.endpoints { for column in state.facts[endpoint]?.columns ?? [] where !all.contains(column) { all.append(column) } }
            return all
        }
    }

    /// The resource types the API showed, by endpoint: what an INSERT sends.
    public var types: [String: String] { state.withLock { $0.facts.compactMapValues(\.type) } }

    /// The profiles of config.toml, for `\connect`.
    public var profiles: [String] {
        get { state.withLock { $0.profiles } }
        set { state.withLock { $0.profiles = newValue } }
    }

    /// Forgets what one server showed (the types an INSERT would send) when another is queried.
    public func forgetTypes() { state.withLock { for key in $0.facts.keys { $0.facts[key]?.type = nil } } }

    public func learn(endpoint: String, type: String) {
        update(endpoint) { $0.type = type }
    }

    /// Forgets every endpoint's facts (another target's catalog comes in).
    public func forgetColumns() { state.withLock { $0.facts = [:] } }

    /// Forgets one endpoint's facts (`\refresh`, before it learns them again).
    public func forget(endpoint: String) { state.withLock { _ = $0.facts.removeValue(forKey: endpoint) } }

    /// A column's kind, as the rows seen so far tell; nil for a column never seen.
    public func kind(of column: String, in endpoint: String) -> ColumnKind? { state.withLock { $0.facts[endpoint]?.kinds[column] } }

    /// The columns whose kind rows have shown (not only nulls), by endpoint.
    public var columnsOfKnownType: [String: Set<String>] {
        state.withLock { state in
            state.facts.mapValues { facts in Set(facts.kinds.filter { $0.value.kind != .unknown }.keys) }.filter { !$0.value.isEmpty }
        }
    }

    /// The columns whose values were all of one type (numbers, booleans, dates or timestamps),
    /// by endpoint: the planner reads a constant compared with one as that type.
    public var columnTypes: [String: [String: ColumnType]] {
        state.withLock { state in
            state.facts.mapValues { facts in
                facts.kinds.compactMapValues { (kind: ColumnKind) -> ColumnType? in
                    switch kind.kind {
                    case .integer, .decimal: return .number
                    case .boolean: return .boolean
                    case .date: return .date
                    case .timestamp: return .timestamp
                    case .text, .json, .unknown: return nil
                    }
                }
            }.filter { !$0.value.isEmpty }
        }
    }

    /// The columns of endpoints learned from whole rows: a statement reading another column
    /// of one is an error before anything is sent.
    public var knownColumns: [String: [String]] {
        state.withLock { state in state.facts.filter { $0.value.complete && !$0.value.columns.isEmpty }.mapValues(\.columns) }
    }

    /// The filter parameters each endpoint's server rejected with a 400.
    public var rejectedFilters: [String: Set<String>] {
        state.withLock { state in state.facts.compactMapValues { $0.rejected.isEmpty ? nil : Set($0.rejected.keys) } }
    }

    /// Learns an endpoint's columns, their kinds and nulls, and its resource type from rows of
    /// it (a response's first rows: enough to tell, cheap to read). `whole`: the rows carry
    /// every field (no sparse fieldsets), so the columns are the endpoint's.
    public func learn(endpoint: String, rows: ArraySlice<RawRow>, whole: Bool, from source: String, at time: Instant) {
        guard !rows.isEmpty else { return }
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
        var columns: [String] = []
        for row in rows { for name in row.columnNames where !columns.contains(name) { columns.append(name) } }
        learn(endpoint: endpoint, columns: columns)
        update(endpoint) { facts in
            for (column, kind) in seen {
                var merged = facts.kinds[column] ?? ColumnKind()
                merged.add(kind.kind)
                merged.nullSeen = merged.nullSeen || kind.nullSeen
                facts.kinds[column] = merged
            }
            facts.rowsSeen += rows.count
            if let type = rows.first?.typeText { facts.type = type }
            facts.complete = facts.complete || whole
            facts.learnedFrom = source
            facts.learnedAt = time
        }
    }

    /// Learns column names alone (a join's side, a write's columns): for completion, never
    /// as the endpoint's whole list.
    public func learn(endpoint: String, columns: [String]) {
        update(endpoint) { facts in
            for column in columns where !facts.columns.contains(column) { facts.columns.append(column) }
        }
    }

    /// The collection's total, from a read that sent no filter.
    public func learn(endpoint: String, total: Int, at time: Instant) {
        update(endpoint) { facts in
            facts.total = total
            facts.totalAt = time
        }
    }

    /// A filter parameter the server answered 400 for.
    public func reject(endpoint: String, parameter: String, at time: Instant) {
        update(endpoint) { $0.rejected[parameter] = time }
    }

    private func update(_ endpoint: String, _ change: (inout EndpointFacts) -> Void) {
        state.withLock { state in
            if !state.endpoints.contains(endpoint) { state.endpoints.append(endpoint) }
            change(&state.facts[endpoint, default: EndpointFacts()])
        }
    }

    // MARK: - Kept between sessions

    /// What the catalog knows, as JSON, for ``CatalogCache``: per endpoint its columns in order,
    /// their kinds and nulls, the rows they came from, the resource type, the total and the
    /// rejected filters, each with when it was learned. Never a value of a row.
    public func snapshot() -> JSONValue {
        state.withLock { state in
            var endpoints: [JSONMember] = []
            for (endpoint, facts) in state.facts.sorted(by: { $0.key < $1.key }) {
                var members = [JSONMember("columns", .array(facts.columns.map { .string($0) })),
                               JSONMember("kinds", .object(facts.columns.compactMap { column in
                                   facts.kinds[column].map { JSONMember(column, .object([JSONMember("kind", .string($0.kind.rawValue)),
                                                                                         JSONMember("nulls", .bool($0.nullSeen))])) }
                               })),
                               JSONMember("rows", .number(Double(facts.rowsSeen))),
                               JSONMember("complete", .bool(facts.complete))]
                if let type = facts.type { members.append(JSONMember("type", .string(type))) }
                if let from = facts.learnedFrom { members.append(JSONMember("learned_from", .string(from))) }
                if let at = facts.learnedAt { members.append(JSONMember("learned_at", .string(at.text))) }
                if let total = facts.total { members.append(JSONMember("total", .number(Double(total)))) }
                if let at = facts.totalAt { members.append(JSONMember("total_at", .string(at.text))) }
                if !facts.rejected.isEmpty {
                    members.append(JSONMember("rejected", .object(facts.rejected.sorted { $0.key < $1.key }.map { JSONMember($0.key, .string($0.value.text)) })))
                }
                endpoints.append(JSONMember(endpoint, .object(members)))
            }
            return .object([JSONMember("version", .number(1)), JSONMember("endpoints", .object(endpoints))])
        }
    }

    /// Takes what a ``snapshot()`` held (a cache from an earlier session); what this session
    /// learns is added to it. Anything malformed is left out, never trusted.
    public func restore(_ value: JSONValue) {
        guard value["version"] == .number(1), case .object(let endpoints)? = value["endpoints"] else { return }
        for member in endpoints {
            guard case .array(let names)? = member.value["columns"] else { continue }
            let columns = names.compactMap(\.stringValue)
            learn(endpoint: member.key, columns: columns)
            func count(_ key: String) -> Int? {
                guard case .number(let number)? = member.value[key], number >= 0, number < 1e15 else { return nil }
                return Int(exactly: number)
            }
            func time(_ key: String) -> Instant? { member.value[key]?.stringValue.flatMap { Instant($0) } }
            update(member.key) { facts in
                if case .object(let kinds)? = member.value["kinds"] {
                    for kind in kinds {
                        guard let name = kind.value["kind"]?.stringValue, let parsed = ColumnKind.Kind(rawValue: name) else { continue }
                        facts.kinds[kind.key] = ColumnKind(kind: parsed, nullSeen: kind.value["nulls"] == .bool(true))
                    }
                }
                facts.rowsSeen = count("rows") ?? facts.rowsSeen
                facts.complete = facts.complete || member.value["complete"] == .bool(true)
                if let type = member.value["type"]?.stringValue { facts.type = type }
                facts.learnedFrom = member.value["learned_from"]?.stringValue ?? facts.learnedFrom
                facts.learnedAt = time("learned_at") ?? facts.learnedAt
                if let total = count("total") {
                    facts.total = total
                    facts.totalAt = time("total_at")
                }
                if case .object(let rejected)? = member.value["rejected"] {
                    for entry in rejected {
                        guard let at = entry.value.stringValue.flatMap({ Instant($0) }) else { continue }
                        facts.rejected[entry.key] = at
                    }
                }
            }
        }
    }
}
