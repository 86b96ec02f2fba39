extension WritePlan {
    /// The plan for a person, as `explain` prints it: the read that finds the rows (if any),
    /// then the write requests, exactly as they would be sent, or their template per row.
    ///
    ///     UPDATE people.people: 1 PATCH request, by id; one GET of the first checks SET's columns first
    ///     PATCH https://api.casebook.net/people/people/PER-1
    ///       {"data":{"type":"people","id":"PER-1","attributes":{"city":"Springfield"}}}
    public func explanation() -> String {
        var lines: [String] = []
        if let requests = plannedRequests {
            let count = counted(requests.count, "\(verb.method) request")
            let how = verb == .insert ? "one per row"
                : verb == .update ? "by id; one GET of the first checks SET's columns first" : "by id; nothing is read first"
            lines.append("\(verb.rawValue) \(verb.preposition) \(table): \(count), \(how)")
            lines += requests.map(\.description)
        } else if let read {
            lines.append("\(verb.rawValue) \(verb.preposition) \(table): the rows this read finds, then one \(verb.method) per row")
            lines.append("")
            lines += read.requestLines() + [""] + read.detailLines()
            lines.append("")
            lines.append("then, for each row read (in the order read):")
            lines.append("  " + verb.method + " " + resourceURL(id: "{id}").replacing("%7Bid%7D", with: "{id}"))
            if verb == .update { lines.append("    " + bodyTemplate) }
        }
        if let returning {
            let columns: String
            switch returning.projection {
            case .all: columns = "*"
            case .columns(let list): columns = list.map(\.name).joined(separator: ", ")
            case .count(let name): columns = name
            case .computed(let query): columns = (query.outputs ?? []).map(\.name).joined(separator: ", ")
            }
            let source = verb == .delete ? "the rows as read before they were deleted" : "the resources the API answers with"
            lines.append("")
            lines.append("RETURNING \(columns): \(source)")
        }
        lines.append("")
        lines.append(verb == .delete ? "A DELETE cannot be undone: --dry-run shows every request without sending it."
                                     : "--dry-run shows every request without sending it.")
        return lines.joined(separator: "\n")
    }

    /// The first request of each kind, as `translate` prints them: the read's first URL when a
    /// read finds the rows, else each write's URL.
    public func initialURLs(style: QueryParameter.Style = .readable) -> [String] {
        if let read { return read.initialURLs(style: style) }
        return (plannedRequests ?? []).map(\.url)
    }

    /// `{"data":{"type":"people","id":"{id}","attributes":{"city":"Springfield","age":«age + 1»}}}`:
    /// constants as sent, per-row values as their expression.
    private var bodyTemplate: String {
        var text = #"{"data":{"type":""# + resourceType + #"","id":"{id}","attributes":{"#
        for (index, assignment) in assignments.enumerated() {
            if index > 0 { text += "," }
            var name: [UInt8] = []
            JSONWriter.writeString(assignment.column.name, into: &name)
            text += String(decoding: name, as: UTF8.self) + ":"
            if let constant = assignment.constant {
                text += String(decoding: constant.json, as: UTF8.self)
            } else {
                text += "«\(assignment.value)»"
            }
        }
        return text + "}}}"
    }
}
