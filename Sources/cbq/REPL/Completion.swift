#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@preconcurrency import CLibEdit
import CBQCore
import CBQRuntime
import Synchronization

/// What the REPL knows about endpoints and their columns: the guide's endpoints, the ones used
/// this session, and the columns seen in responses (remembered per endpoint). Completion reads
/// only this, so it never waits on the network.
final class Catalog: Sendable {
    static let guideEndpoints = ["people.people", "intake.reports", "cases.cases", "providers.providers",
                                 "services.service_offerings", "attachments.notes"]

    private struct State {
        var endpoints = Catalog.guideEndpoints
        var columns: [String: [String]] = [:]
    }
    private let state = Mutex(State())

    var endpoints: [String] { state.withLock { $0.endpoints } }

    func columns(of endpoint: String) -> [String] { state.withLock { $0.columns[endpoint] ?? [] } }

    /// Every column seen this session, for a statement whose FROM is not typed yet.
    var allColumns: [String] {
        state.withLock { state in
            var all: [String] = []
            for endpoint in state.endpoints { for column in state.columns[endpoint] ?? [] where !all.contains(column) { all.append(column) } }
            return all
        }
    }

    func learn(endpoint: String, columns: [String]) {
        state.withLock { state in
            if !state.endpoints.contains(endpoint) { state.endpoints.append(endpoint) }
            var known = state.columns[endpoint] ?? []
            for column in columns where !known.contains(column) { known.append(column) }
            state.columns[endpoint] = known
        }
    }
}

/// Chooses Tab candidates from the words before the cursor.
final class Completer: Sendable {
    enum Candidates: Equatable { case words([String]), files }

    let catalog: Catalog
    /// The lines of a statement typed so far (its FROM may be on an earlier line).
    private let pending = Mutex("")

    init(catalog: Catalog) { self.catalog = catalog }

    func setPending(_ text: String) { pending.withLock { $0 = text } }

    /// - Parameters: word: the word being completed; before: the line up to it; line: all of it.
    func candidates(word: String, before: String, line wholeLine: String = "") -> Candidates {
        let pendingText = pending.withLock { $0 }
        let line = before.drop { $0 == " " || $0 == "\t" }
        if pendingText.isEmpty, line.hasPrefix("\\") || (line.isEmpty && word.hasPrefix("\\")) {
            return metaCandidates(word: word, line: String(line))
        }
        let context = pendingText + "\n" + before
        let words = context.split { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }.map { $0.uppercased() }
        let previous = words.last
        if previous == "FROM" { return .words(matching(word, catalog.endpoints)) }
        // Columns of the endpoint after FROM (anywhere in the statement), then keywords.
        let names = Self.endpoint(in: pendingText + "\n" + (wholeLine.isEmpty ? before : wholeLine)).map { catalog.columns(of: $0) }
            ?? (words.isEmpty ? [] : catalog.allColumns)
        let keywords = words.isEmpty ? ["SELECT", "EXPLAIN"] : Keyword.allCases.map(\.rawValue) + ["COUNT(*)"]
        let cased = word.first.map { $0.isLowercase } == true ? keywords.map { $0.lowercased() } : keywords
        return .words(matching(word, names) + matching(word, cased).filter { !names.contains($0) })
    }

    private func metaCandidates(word: String, line: String) -> Candidates {
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        guard let command = parts.first.map(String.init), parts.count > 1 || line.hasSuffix(" ") else {
            return .words(matching(word, MetaCommands.all.map { "\\" + $0.name }))
        }
        switch command {
        case "\\i", "\\o": return .files
        case "\\d": return .words(matching(word, catalog.endpoints))
        case "\\format": return .words(matching(word, OutputFormat.allCases.map(\.rawValue)))
        case "\\x": return .words(matching(word, ["on", "off", "auto"]))
        case "\\timing": return .words(matching(word, ["on", "off"]))
        case "\\region": return .words(matching(word, ["us", "ca"]))
        case "\\help": return .words(matching(word, MetaCommands.all.map(\.name)))
        default: return .words([])
        }
    }

    private func matching(_ word: String, _ candidates: [String]) -> [String] {
        let lowered = word.lowercased()
        return candidates.filter { $0.lowercased().hasPrefix(lowered) }
    }

    /// The `service.endpoint` after FROM, if the text names one.
    static func endpoint(in text: String) -> String? {
        guard let match = text.firstMatch(of: /(?i)\bfrom\s+([A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)/) else { return nil }
        return String(match.1)
    }
}

/// The bridge from libedit's C callbacks to the ``Completer``.
enum Completion {
    nonisolated(unsafe) static var completer: Completer?
    nonisolated(unsafe) private static var candidates: [String] = []
    nonisolated(unsafe) private static var next = 0

    static func complete(_ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        guard let completer, let text else { return nil }
        let word = String(cString: text)
        let lineBytes = rl_line_buffer.map { Array(UnsafeBufferPointer(start: UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self), count: Int(strlen($0)))) } ?? []
        let before = String(decoding: lineBytes.prefix(max(0, Int(start))), as: UTF8.self)
        switch completer.candidates(word: word, before: before, line: String(decoding: lineBytes, as: UTF8.self)) {
        case .files:
            return nil  // libedit's own file-name completion
        case .words(let list):
            rl_attempted_completion_over = 1
            candidates = list
            next = 0
            guard !list.isEmpty else { return nil }
            return rl_completion_matches(text) { _, state in
                if state == 0 { Completion.next = 0 }
                guard Completion.next < Completion.candidates.count else { return nil }
                defer { Completion.next += 1 }
                return strdup(Completion.candidates[Completion.next])
            }
        }
    }
}
