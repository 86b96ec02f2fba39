/// How a join's other sides are fetched, and the rule that picks it.
public enum JoinStrategy: Hashable, Sendable {
    /// `GET …/endpoint/<id>` for each distinct key.
    case byID
    /// The side's pages, with its own filters.
    case whole

    /// Requests go `concurrency` at a time; a whole fetch's first page comes alone (it tells
    /// how many pages follow). By id wins when it takes fewer rounds, or as many with fewer
    /// requests. A side whose size the server does not tell is fetched by id: its pages could
    /// be any number.
    /// - Parameter batch: ids per request: 1, or more where the server takes `filter[id]=a,b,c`.
    public static func choose(keys: Int, total: Int?, pageSize: Int, concurrency: Int, batch: Int = 1) -> JoinStrategy {
        guard let total else { return .byID }
        let (byID, whole) = rounds(keys: keys, total: total, pageSize: pageSize, concurrency: concurrency, batch: batch)
        if byID != whole { return byID < whole ? .byID : .whole }
        return requests(keys: keys, batch: batch) < pages(total: total, pageSize: pageSize) ? .byID : .whole
    }

    public static func requests(keys: Int, batch: Int) -> Int { (keys + max(1, batch) - 1) / max(1, batch) }

    public static func pages(total: Int, pageSize: Int) -> Int { max(1, (total + pageSize - 1) / max(1, pageSize)) }

    public static func rounds(keys: Int, total: Int, pageSize: Int, concurrency: Int, batch: Int = 1) -> (byID: Int, whole: Int) {
        let width = max(1, concurrency)
        let byID = (requests(keys: keys, batch: batch) + width - 1) / width
        let whole = 1 + (pages(total: total, pageSize: pageSize) - 1 + width - 1) / width
        return (byID, whole)
    }
}

/// What a probe (`page[size]=1`) of each side said: the rows its pushed filters match.
public struct JoinEstimates: Hashable, Sendable {
    /// Per side; nil where the server did not say (or nothing was probed).
    public var totals: [Int?]
    public var concurrency: Int

    public init(totals: [Int?], concurrency: Int) {
        self.totals = totals
        self.concurrency = concurrency
    }
}

extension JoinPlan {
    /// The plan for a person, before any row is fetched: each side's requests and filters, how
    /// each later side is matched, and the local operators. With `estimates` (the sides'
    /// totals), each lookup's choice and its request counts.
    public func explanation(estimates: JoinEstimates? = nil, local: [String]? = nil) -> String {
        var lines = ["join of \(sides.count) endpoints: cbq fetches each side, then joins their rows here", ""]
        for (position, side) in sides.enumerated() {
            let header = "\(position + 1). \(side.title)"
            if position == 0 {
                lines.append(header + "   (drives the join)")
            } else if let condition = side.condition {
                lines.append(header + " ON " + condition.conjuncts.map { source.excerpt($0.range) }.joined(separator: " AND "))
            } else {
                lines.append(header + "   (every pair of rows)")
            }
            let total = estimates?.totals[position]
            if let total { lines.append("   probe: \(total) row\(total == 1 ? "" : "s") match its filters (meta.total of page[size]=1)") }
            if position > 0, side.included, let lookup = side.lookup {
                lines.append("   from the responses of 1. (include=\(sides[0].plan.include.joined(separator: ","))): each \(lookup) in `included`;")
                lines.append("   any it lacks is looked up by id: GET \(side.plan.collectionURL)/<\(lookup)>")
                if !side.ownConditions.isEmpty {
                    lines.append("   its own conditions are evaluated here: " + side.ownConditions.map(\.description).joined(separator: " AND "))
                }
                lines.append("")
                continue
            } else if position > 0, let lookup = side.lookup {
                let key = lookup.description
                let width = estimates?.concurrency ?? 8
                let batch = side.idBatch
                if batch > 1 {
                    lines.append("   by id:  GET \(side.plan.collectionURL)?filter[id]=<\(key), up to \(batch) a request>&…")
                    lines.append("           one request per \(batch) distinct \(key), \(width) at a time, with its own filters (the dialect's id lists)")
                } else {
                    lines.append("   by id:  GET \(side.plan.collectionURL)/<\(key)>")
                    lines.append("           one request per distinct \(key), \(width) at a time; a 404 is no match"
                                 + (side.ownConditions.isEmpty ? "" : "; its own conditions are evaluated here"))
                }
                lines.append("   whole:  GET \(side.plan.url(page: 1)) and its later pages")
                if let estimates, let total, let keys = estimates.totals[0...(position - 1)].compactMap({ $0 }).max() {
                    let pageSize = side.plan.pageSize ?? 100
                    let (byID, whole) = JoinStrategy.rounds(keys: keys, total: total, pageSize: pageSize, concurrency: width, batch: batch)
                    let choice = JoinStrategy.choose(keys: keys, total: total, pageSize: pageSize, concurrency: width, batch: batch)
                    lines.append("   estimate: by id ≤ \(counted(JoinStrategy.requests(keys: keys, batch: batch), "request")) in ≤ \(counted(byID, "round")); whole "
                                 + "\(counted(JoinStrategy.pages(total: total, pageSize: pageSize), "page")) in \(counted(whole, "round"))")
                    lines.append("   strategy: \(choice == .byID ? "by id" : "whole") (decided again once the distinct keys are counted)")
                } else {
                    lines.append("   strategy: by id when its requests take fewer rounds than the whole fetch's pages; decided at run")
                    lines.append("             time from the distinct keys and the side's total (a page[size]=1 probe)")
                }
            } else {
                lines.append(contentsOf: Self.indented(side.plan.requestLines() + [""] + side.plan.detailLines()))
                continue
            }
            lines.append(contentsOf: Self.indented(side.plan.detailLines()))
        }
        if lines.last != "" { lines.append("") }
        lines.append("local plan (cbq computes it; each operator reads the one below):")
        var operators = local ?? localOperators
        if !residual.isEmpty { operators.append("filter      WHERE " + residual.map { source.excerpt($0.range) }.joined(separator: " AND ")) }
        for side in sides.indices.reversed().dropLast() {
            let equalities = sides[side].equalities
            var how = equalities.isEmpty ? "nested loop" : "hash join on " + equalities.map { "\($0.this) = \($0.earlier)" }.joined(separator: " AND ")
            let keys = Set(equalities.map { Expression.comparison($0.this, .equal, $0.earlier, range: SourceRange(0, 0)).description }
                + equalities.map { Expression.comparison($0.earlier, .equal, $0.this, range: SourceRange(0, 0)).description })
            let others = (sides[side].condition?.conjuncts ?? []).filter { !keys.contains($0.ungrouped.description) }
            if !others.isEmpty { how += (equalities.isEmpty ? " on " : ", then ") + others.map { source.excerpt($0.range) }.joined(separator: " AND ") }
            operators.append("join        \(sides[side].kind == .left ? "LEFT " : "")\(sides[side].name): \(how)")
        }
        operators.append("scan        the sides above")
        for (depth, line) in operators.enumerated() {
            lines.append("  " + String(repeating: "  ", count: depth) + (depth == 0 ? "" : "└ ") + line)
        }
        return lines.joined(separator: "\n")
    }
}

extension JoinPlan {
    /// A side's plan lines under its heading, then a blank line.
    static func indented(_ lines: [String]) -> [String] {
        lines.map { $0.isEmpty ? "" : "   " + $0 } + [""]
    }
}

extension SemiJoinPlan {
    /// Each subquery's plan, then the statement's, its subqueries shown as the values they give.
    public func explanation() -> String {
        var lines: [String] = []
        for (position, subquery) in subqueries.enumerated() {
            let what: String
            switch subquery.kind {
            case .values: what = "its values stand in the IN list"
            case .exists(let outer?): what = "EXISTS becomes \(outer) IN (its values)"
            case .exists(nil): what = "EXISTS is TRUE when it returns a row"
            }
            lines.append("subquery \(position + 1), run first (\(what)): \(source.excerpt(subquery.range))")
            lines.append(contentsOf: subquery.plan.explanation().split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 })
            lines.append("")
        }
        lines.append("then the statement, with the values in place (a list of ids may be fetched by id instead, if that takes fewer requests):")
        if let preview {
            lines.append(contentsOf: preview.explanation().split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 })
        }
        return lines.joined(separator: "\n")
    }
}

