/// Every message cbq reports about a statement, one factory each, so they read the same
/// everywhere and can be reviewed in one place. Grouped by the stage that raises them:
/// lexing and parsing in `Diagnostic+SyntaxCatalogue.swift`, planning in
/// `Diagnostic+PlanningCatalogue.swift`, and running here.
///
/// Style: lowercase, no trailing period, source tokens in single quotes, "expected X after Y".
/// A factory without a `found:` argument is about input that stops too early: its diagnostic is
/// `.incomplete`, so a REPL asks for another line instead of failing.
extension Diagnostic {
    // MARK: - Running

    /// The API answered 400 naming a parameter that `range`'s condition was sent as.
    /// Two result columns with one name, in JSON or NDJSON: an object keeps one of them.
    public static func duplicateJSONKey(_ name: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "two columns are named '\(name)', and a JSON object keeps only one of them", at: range,
                   label: "in this statement", hint: "name them apart (… AS \(name)_2), or use another --format")
    }

    public static func rejectedParameter(_ name: String, sentAs parameters: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "the API rejected \(name), sent for this condition", at: range, label: "sent as \(parameters)",
                   hint: "check the column name and operator; `cbq explain` shows every parameter")
    }

    /// The API answered 404 to a collection: the endpoint is not there.
    public static func endpointNotFound(_ endpoint: String, among known: [String], at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "the API has no endpoint \(endpoint)", at: range, label: "answered 404 Not Found",
                   hint: Suggestion.closest(to: endpoint, among: known).map(didYouMean) ?? "\\d lists the endpoints cbq knows")
    }

    /// The API answered 400 naming `sort`.
    public static func rejectedSort(sentAs parameter: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "the API rejected the sort, sent for this ORDER BY", at: range, label: "sent as \(parameter)",
                   hint: "check the column name; `cbq explain` shows the sort parameter")
    }

    /// Any other API failure: the statement it ran for.
    public static func failedStatement(_ summary: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, summary, at: SourceRange(range.start, min(range.end, range.start + 6)), label: "while running this statement")
    }

    /// The API returned rows that a pushed filter on a relationship rejects.
    public static func ignoredFilter(_ text: String, sentAs parameters: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "the API did not apply \(parameters): it returned rows where \(text) is not true", at: range,
                   label: "sent as \(parameters)",
                   hint: "the server may not filter by this relationship; compare its *_id attribute, or write the condition so cbq evaluates it (e.g. person || '' = 'PER-1')")
    }

    /// A row the API returned that a pushed filter on an attribute rejects.
    public static func ignoredAttributeFilter(_ text: String, sentAs parameters: String, example: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "the API returned rows that do not satisfy \(parameters) (\(example), where \(text) is not true): it may not support that filter",
                   at: range, label: "sent as \(parameters)",
                   hint: "the server may spell it differently: `cbq explain` shows every parameter; try --dialect jsonapi or --comparisons, "
                       + "or write the condition so cbq evaluates it (e.g. lower(x) = 'v')")
    }

    /// A later page that repeats the rows of the first page or of the page before it.
    public static func ignoredPage(_ url: String, page: Int, parameter: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "the API answered page \(page) of this read (\(url)) with rows it had already sent: it did not honour the page asked for",
                   at: range, label: "the result would repeat rows and miss others",
                   hint: "the server may not read '\(parameter)' (try --page-param page or page[number], or --dialect jsonapi), "
                       + "or its links.next leads back to an earlier page")
    }

    /// Rows the API returned in an order its `sort=` cannot have put them in: `why` names the
    /// first such pair; `count` of the page's `pairs` neighbouring rows are out of order.
    public static func ignoredSort(sentAs parameter: String, why: String, count: Int, pairs: Int, at range: SourceRange) -> Diagnostic {
        let share = "\(count) of \(pairs) neighbouring \(pairs == 1 ? "row is" : "rows are") out of order on that page"
        return Diagnostic(.semantic, "the API returned rows out of the order \(parameter) asks for (\(why); \(share))", at: range,
                          label: "sent as \(parameter)",
                          hint: "--server-sort off (\\serversort off in the shell) sorts here instead, after reading every page; if the server sorts by what the rows "
                              + "do not show (an enum's position, a related record's name), --server-sort trusted takes its order unchecked")
    }

    // MARK: - Shared wording

    /// "did you mean 'FROM'?", for a word one or two typos from one that fits.
    static func didYouMean(_ word: String) -> String {
        "did you mean '\(word)'?"
    }
}
