import CBQCore
import Synchronization

/// Chooses Tab candidates from the words before the cursor.
public final class Completer: Sendable {
    public enum Candidates: Equatable, Sendable { case words([String]), files }

    public let catalog: Catalog
    /// The lines of a statement typed so far (its FROM may be on an earlier line).
    private let pending = Mutex("")

    public init(catalog: Catalog) { self.catalog = catalog }

    public func setPending(_ text: String) { pending.withLock { $0 = text } }

    /// - Parameters: word: the word being completed; before: the line up to it; line: all of it.
    public func candidates(word: String, before: String, line wholeLine: String = "") -> Candidates {
        let pendingText = pending.withLock { $0 }
        let line = before.drop { $0 == " " || $0 == "\t" }
        if pendingText.isEmpty, line.hasPrefix("\\") || (line.isEmpty && word.hasPrefix("\\")) {
            return metaCandidates(word: word, line: String(line))
        }
        let context = pendingText + "\n" + before
        let words = context.split { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }.map { $0.uppercased() }
        let previous = words.last
        if ["FROM", "JOIN", "INTO", "UPDATE"].contains(previous) || Self.inFromList(before) {
            return .words(matching(word, catalog.endpoints))
        }
        let statement = pendingText + "\n" + (wholeLine.isEmpty ? before : wholeLine)
        let tables = Self.tables(in: statement)
        // `p.fi` → the columns of the table `p` names, qualified as typed.
        if let dot = word.firstIndex(of: "."), let endpoint = tables[word[..<dot].lowercased()] {
            let qualifier = String(word[...dot])
            return .words(catalog.columns(of: endpoint).filter { $0.lowercased().hasPrefix(word[word.index(after: dot)...].lowercased()) }
                .map { qualifier + $0 })
        }
        // Columns of the endpoints after FROM and JOIN (anywhere in the statement), then keywords.
        var columns: [String] = []
        for endpoint in Self.endpoints(in: statement) {
            for column in catalog.columns(of: endpoint) where !columns.contains(column) { columns.append(column) }
        }
        let names = Self.endpoint(in: statement) != nil ? columns : (words.isEmpty ? [] : catalog.allColumns)
        let keywords = words.isEmpty ? ["SELECT", "INSERT", "UPDATE", "DELETE", "EXPLAIN"]
            : Keyword.allCases.map(\.rawValue) + SQLVocabulary.contextualWords + ["COUNT(*)"]
            + SQLVocabulary.functions.filter { $0 != "count" }.map { $0.uppercased() }
        let cased = word.first.map { $0.isLowercase } == true ? keywords.map { $0.lowercased() } : keywords
        return .words(matching(word, names) + matching(word, cased).filter { !names.contains($0) })
    }

    /// A command's name, or its argument as its ``ArgumentSpec`` says.
    private func metaCandidates(word: String, line: String) -> Candidates {
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        guard let command = parts.first.map(String.init), parts.count > 1 || line.hasSuffix(" ") else {
            return .words(matching(word, MetaCommand.all.map { "\\" + $0.name }))
        }
        guard let spec = MetaCommand.named(String(command.dropFirst()))?.argument else { return .words([]) }
        switch spec.candidates(catalog) {
        case .files: return .files
        case .words(let list): return .words(matching(word, list))
        }
    }

    private func matching(_ word: String, _ candidates: [String]) -> [String] {
        let lowered = word.lowercased()
        return candidates.filter { $0.lowercased().hasPrefix(lowered) }
    }

    /// Whether the text before the cursor is inside a FROM's comma list (`FROM a.b x, `).
    static func inFromList(_ text: String) -> Bool {
        text.firstMatch(of: /(?i)\bfrom\s+[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*(\s+[A-Za-z_][A-Za-z0-9_]*)?\s*,\s*$/) != nil
    }

    /// Every `service.endpoint` after FROM, JOIN or a FROM list's comma, in order.
    static func endpoints(in text: String) -> [String] {
        var names: [String] = []
        for match in text.matches(of: /(?i)(?:\bfrom|\bjoin|\binto|\bupdate|,)\s+([A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)/) where !names.contains(String(match.1)) {
            names.append(String(match.1))
        }
        return names
    }

    /// What each table name of the statement names: its alias (`FROM people.people p`), and its
    /// endpoint's name; lower-cased.
    static func tables(in text: String) -> [String: String] {
        var tables: [String: String] = [:]
        for match in text.matches(of: /(?i)(?:\bfrom|\bjoin|\binto|\bupdate|,)\s+([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)(?:\s+(?:as\s+)?([A-Za-z_][A-Za-z0-9_]*))?/) {
            let endpoint = "\(match.1).\(match.2)"
            if tables[String(match.2).lowercased()] == nil { tables[String(match.2).lowercased()] = endpoint }
            if let alias = match.3, Keyword(word: alias) == nil, !["set", "values", "returning"].contains(alias.lowercased()) {
                tables[alias.lowercased()] = endpoint
            }
        }
        return tables
    }

    /// The `service.endpoint` after FROM (or a write's INTO or UPDATE), if the text names one.
    static func endpoint(in text: String) -> String? {
        guard let match = text.firstMatch(of: /(?i)(?:\bfrom|\binto|\bupdate)\s+([A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)/) else { return nil }
        return String(match.1)
    }
}
