/// How the parser words its errors: what it expected, what it found, and a did-you-mean.
/// The messages themselves are in `Diagnostic+SyntaxCatalogue.swift`.
extension Parser {
    // MARK: - Errors

    /// "expected 'FROM' after the select list, found 'FORM'" with a did-you-mean hint.
    @discardableResult
    mutating func expect(_ keyword: Keyword, context: String, alternatives: [Keyword]) throws(Diagnostic) -> Token {
        if check(keyword) { return advance() }
        let wanted = [keyword] + alternatives
        let names = wanted.map { "'\($0.rawValue)'" }
        throw expected(orList(names), after: context, suggesting: wanted.map(\.rawValue))
    }

    mutating func expect(_ symbol: Symbol, after context: String, hint: String? = nil) throws(Diagnostic) {
        if case .symbol(symbol) = current.kind { advance(); return }
        throw expected("'\(symbol.rawValue)'", after: context, hint: hint)
    }

    func expected(_ what: String, after context: String, suggesting words: [String] = [], hint: String? = nil) -> Diagnostic {
        if current.kind == .end {
            return Diagnostic.expected(what, after: context, at: .at(previous.range.end), hint: hint)
        }
        return Diagnostic.expected(what, after: context, found: describe(current), at: current.range,
                                   suggestion: suggest(for: current, among: words), hint: hint)
    }

    /// What may follow a complete statement depends on the clauses it already has.
    func unexpectedAfterStatement(_ statement: Statement) -> Diagnostic {
        // What may follow depends on the statement's last clause.
        var innermost = statement
        while case .explain(let inner, _, _) = innermost { innermost = inner }
        var next: [String] = []
        if case .write(let write) = innermost {
            if write.returning == nil {
                if write.filter != nil { next += ["AND", "OR"] }
                next.append("RETURNING")
            }
            return expectedAfter(next)
        }
        guard case .select(let select) = innermost else { return Diagnostic.unexpectedTextAfterStatement(at: current.range) }
        let tailFree = select.ordering.isEmpty && select.limit == nil && select.offset == nil
        if select.filter != nil && select.grouping.isEmpty && select.having == nil && tailFree { next += ["AND", "OR"] }
        if select.filter == nil && select.grouping.isEmpty && select.having == nil && tailFree { next.append("WHERE") }
        if select.grouping.isEmpty && select.having == nil && tailFree { next.append("GROUP BY") }
        if select.having == nil && tailFree { next.append("HAVING") }
        if tailFree { next.append("ORDER BY") }
        if select.limit == nil && select.offset == nil { next.append("LIMIT") }
        if select.offset == nil { next.append("OFFSET") }
        return expectedAfter(next)
    }

    /// "expected 'X', 'Y' or ';' after …, found …", with a did-you-mean among `next`.
    private func expectedAfter(_ next: [String]) -> Diagnostic {
        let suggestion = suggest(for: current, among: next.map { $0.hasSuffix(" BY") ? String($0.dropLast(3)) : $0 })
        let context: String
        switch previous.kind {
        case .keyword, .identifier, .symbol: context = "'\(source.excerpt(previous.range))'"
        default: context = source.excerpt(previous.range)
        }
        // A name after a complete clause, e.g. `… LIMIT 5 SELECT`: likely a second statement.
        let startsAnother = current.kind == .identifier && [.identifier, .string, .number].contains(previous.kind)
        return Diagnostic.expectedAfterStatement(
            orList(next.map { "'\($0)'" } + ["';'"]), after: context, found: describe(current), at: current.range,
            suggestion: suggestion.map { $0 == "ORDER" || $0 == "GROUP" ? $0 + " BY" : $0 }, startsAnother: startsAnother)
    }

    private func suggest(for token: Token, among words: [String]) -> String? {
        guard !words.isEmpty else { return nil }
        switch token.kind {
        case .identifier, .keyword: break
        default: return nil
        }
        // No typo is forty letters long; and the edit distance of a huge word costs its length.
        guard token.value.utf8.count <= 40 else { return nil }
        let word = token.value.uppercased()
        let best = words.map { ($0, editDistance(word, $0)) }.min { $0.1 < $1.1 }
        guard let (candidate, distance) = best, distance > 0 else { return nil }
        let allowed = candidate.count <= 3 ? 1 : 2
        return distance <= allowed ? candidate : nil
    }

    func describe(_ token: Token) -> String {
        switch token.kind {
        case .end: return "end of input"
        case .string: return "the string \(source.excerpt(token.range))"
        case .number: return "the number \(token.value)"
        case .identifier: return "'\(source.excerpt(token.range))'"
        case .parameter: return "the parameter :\(token.value)"
        case .keyword, .symbol: return "'\(source.excerpt(token.range))'"
        }
    }

    func orList(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " or " + items.last!
    }
}

/// Levenshtein distance with adjacent transpositions (so `FORM` is one step from `FROM`).
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { table[i][0] = i }
    for j in 0...b.count { table[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
            }
        }
    }
    return table[a.count][b.count]
}
