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
        if previous == "FROM" { return .words(matching(word, catalog.endpoints)) }
        // Columns of the endpoint after FROM (anywhere in the statement), then keywords.
        let names = Self.endpoint(in: pendingText + "\n" + (wholeLine.isEmpty ? before : wholeLine)).map { catalog.columns(of: $0) }
            ?? (words.isEmpty ? [] : catalog.allColumns)
        let keywords = words.isEmpty ? ["SELECT", "EXPLAIN"]
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

    /// The `service.endpoint` after FROM, if the text names one.
    static func endpoint(in text: String) -> String? {
        guard let match = text.firstMatch(of: /(?i)\bfrom\s+([A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)/) else { return nil }
        return String(match.1)
    }
}
