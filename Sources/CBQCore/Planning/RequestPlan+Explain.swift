extension RequestPlan {
    /// The plan for a person, as `cbq explain` and `EXPLAIN` print it:
    ///
    ///     GET https://api.casebook.net/people/people?filter[last_name][like]=Doe&page[size]=100
    ///       then page=2, page=3, … (or the server's links.next) until no page is left
    ///
    ///       sent to the API    last_name LIKE 'Doe'      filter[last_name][like]=Doe
    ///       evaluated locally  state IN ('CA', 'NY')     the API has no IN filter
    ///       …
    public func explanation() -> String {
        var lines = requestLines() + [""] + detailLines()
        if let query = localQuery {
            lines.append("")
            lines.append("local plan (cbq computes it; each operator reads the one below):")
            var operators = query.operatorLines()
            if !local.isEmpty { operators.append("filter      WHERE " + local.map(\.text).joined(separator: " AND ")) }
            operators.append("scan        \(service).\(endpoint): the requests above")
            for (depth, line) in operators.enumerated() {
                lines.append("  " + String(repeating: "  ", count: depth) + (depth == 0 ? "" : "└ ") + line)
            }
        }
        if let warning = warning ?? everyPageWarning { lines.append(""); lines.append("warning: " + warning) }
        return lines.joined(separator: "\n")
    }

    /// The first request (or one per id) and how the pages follow.
    public func requestLines() -> [String] {
        var lines: [String] = []
        let urls = initialURLs()
        for url in urls { lines.append("GET \(url)") }
        switch target {
        case .collection:
            let next = (startPage + 1...startPage + 2).map { dialect.pageNumberParameter($0).formatted() }
            var until = "no page is left"
            if countsFromTotal { until = "the first page, if it carries \(totalPath.joined(separator: ".")); else no page is left" }
            else if let rowCap {
                let rows = rowCap == 1 ? "1 row has" : "\(rowCap) rows have"
                until = local.isEmpty ? "\(rows) arrived, or no page is left" : "\(rows) passed the local predicates, or no page is left"
            }
            if countsFromTotal {
                lines.append("  reads the count from \(totalPath.joined(separator: ".")); counts rows page by page (\(next.joined(separator: ", ")), …) if it is absent")
                if !pushed.isEmpty {
                    lines.append("  and asks the unfiltered total (page[size]=1): a filtered total equal to it is counted row by row, to catch a filter the server ignored")
                }
            } else if rowCap == 0 {
                lines.append("  sends nothing: LIMIT 0")
            } else {
                lines.append("  then \(next.joined(separator: ", ")), … (or the server's links.next) until \(until)")
            }
        case .resources(let ids):
            lines.append("  one request per id (\(ids.count)); a 404 means no such row")
        }
        return lines
    }

    /// What is sent and what is evaluated here, the paging and the columns, as a table.
    public func detailLines() -> [String] {
        var lines: [String] = []
        var table: [(String, String, String)] = []
        for predicate in pushed {
            table.append(("sent to the API", predicate.text, predicate.parameters.map { $0.formatted() }.joined(separator: "&")))
        }
        if case .resources = target, pushed.isEmpty {
            table.append(("sent to the API", "id", "as the resource's URL"))
        }
        for predicate in local {
            table.append(("evaluated locally", predicate.text, predicate.reason))
        }
        if !sort.isEmpty {
            let text = sort.map { $0.field + ($0.descending ? " DESC" : "") }.joined(separator: ", ")
            let parameter = target == .collection ? sortParameter?.formatted() ?? "" : "(single resources: not sent)"
            table.append(("sort", text, parameter + (target != .collection ? "" : dialect.sort == .checked ? " (the rows' order is checked)" : " (the server's order, unchecked)")))
        }
        if let pageSize {
            var why = ""
            if let rowCap, local.isEmpty, pageSize == rowCap { why = "the LIMIT" }
            else if let rowCap, local.isEmpty, !sort.isEmpty, pageSize > rowCap, dialect.sort == .checked { why = "at least \(pageSize) rows, to check the sort" }
            else if rowCap != nil, !local.isEmpty { why = "whole pages: local predicates decide which rows count toward LIMIT" }
            table.append(("page size", String(pageSize), why))
        }
        if let rowCap { table.append(("row cap", String(rowCap), "LIMIT")) }
        let skipped = (startPage - 1) * (pageSize ?? 0) + skipRows
        if skipped > 0 {
            var how = [String]()
            if startPage > 1 { how.append("starts at page \(startPage) (page 1 is read too, to check the server pages as asked)") }
            if skipRows > 0 { how.append("skips \(counted(skipRows, "row"))\(local.isEmpty ? "" : " that pass") locally") }
            table.append(("offset", String(skipped), how.joined(separator: ", ")))
        }
        switch projection {
        case .all: table.append(("columns", "id and every attribute", ""))
        case .columns(let columns):
            table.append(("columns", columns.map { $0.field == $0.name ? $0.name : "\($0.field) AS \($0.name)" }.joined(separator: ", "), ""))
        case .count(let name):
            table.append(("columns", "COUNT(*) AS \(name)", countsFromTotal ? "from \(totalPath.joined(separator: "."))" : "counted here, row by row"))
        case .computed(let query):
            table.append(("columns", query.outputs.map { $0.map { quoteIdentifierIfNeeded($0.name) }.joined(separator: ", ") } ?? "id and every attribute",
                          "computed here (the local plan below)"))
        }
        if let fields { table.append(("fields", fields.values.joined(separator: ", "), fields.formatted())) }

        let labelWidth = table.map { $0.0.count }.max() ?? 0
        let textWidth = min(48, table.map { DisplayWidth.of($0.1) }.max() ?? 0)
        for (label, text, detail) in table {
            let labelPad = String(repeating: " ", count: labelWidth - label.count)
            if detail.isEmpty {
                lines.append("  \(label)\(labelPad)  \(text)")
            } else {
                let textPad = String(repeating: " ", count: max(0, textWidth - DisplayWidth.of(text)))
                lines.append("  \(label)\(labelPad)  \(text)\(textPad)  \(detail)")
            }
        }
        return lines
    }

    /// Said in `explain` when nothing bounds the fetch: every page of the endpoint (that the
    /// API's filters match) is read.
    public var everyPageWarning: String? {
        guard target == .collection, rowCap == nil, !countsFromTotal else { return nil }
        let scope = pushed.isEmpty ? "every page of \(service).\(endpoint)" : "every page that matches the API's filters"
        if let query = localQuery, query.grouping != nil || !query.sort.isEmpty || query.distinct {
            let why = query.grouping != nil ? "the aggregate" : !query.sort.isEmpty ? "the local sort" : "DISTINCT"
            return "\(scope) is fetched: \(why) needs every row before the first result"
        }
        return "\(scope) is fetched (no LIMIT)"
    }

    /// A caution worth printing before a fetch, e.g. that local predicates may mean many pages.
    public var warning: String? {
        guard target == .collection, !local.isEmpty else { return nil }
        let count = local.count == 1 ? "1 predicate is" : "\(local.count) predicates are"
        let scope = pushed.isEmpty ? "every page of \(service).\(endpoint)" : "every page that matches the API's filters"
        return "\(count) evaluated locally, not by the API: \(scope) may be fetched"
            + (rowCap == nil ? "" : " until the LIMIT is reached")
    }
}
