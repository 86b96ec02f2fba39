import CBQCore

/// The URL of page N, made from a server's `links.next` by replacing its page number, so the
/// pages after it can be requested before their links are seen. Only when the link holds the
/// page number as a plain parameter (`page=2` or `page[number]=2`, brackets raw or encoded).
struct PageTemplate: Sendable {
    /// The link with its path and query up to the page number's value, and what follows it.
    private let base: RequestURL
    private let suffix: String

    init?(next: RequestURL, expectedPage: Int, dialect: Dialect) {
        guard let (items, found, number) = Self.pageParameter(in: next, dialect: dialect), number == expectedPage else { return nil }
        let key = items[found].split(separator: "=", maxSplits: 1)[0]
        var before = Array(items[..<found]).joined(separator: "&")
        if !before.isEmpty { before += "&" }
        var after = Array(items[(found + 1)...]).joined(separator: "&")
        if !after.isEmpty { after = "&" + after }
        var base = next
        base.pathAndQuery = "\(next.path)?\(before)\(key)="
        self.base = base
        suffix = after
    }

    /// Page N's URL: the link's origin as it was parsed, so nothing is parsed again (a window
    /// of a thousand pages is made in one go, before its first request leaves).
    func url(page: Int) -> RequestURL {
        var url = base
        url.pathAndQuery += String(page)
        url.pathAndQuery += suffix
        return url
    }

    /// The page number a link names (`…&page=12`), e.g. the server's `last` link.
    static func pageNumber(in url: RequestURL, dialect: Dialect) -> Int? {
        pageParameter(in: url, dialect: dialect)?.number
    }

    /// The query's items, and which one is the page number, with its value; nil when there is
    /// none, it is not a whole number, or it appears twice.
    private static func pageParameter(in url: RequestURL, dialect: Dialect) -> (items: [Substring], index: Int, number: Int)? {
        guard let query = url.query else { return nil }
        let wanted = dialect.pageNumberParameter(1).formattedName(.readable)
        let items = query.split(separator: "&", omittingEmptySubsequences: false)
        var found: (index: Int, number: Int)?
        for (index, item) in items.enumerated() {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, PercentEncoding.decode(parts[0]) == wanted else { continue }
            guard found == nil, let number = Int(parts[1]), number >= 1 else { return nil }
            found = (index, number)
        }
        return found.map { (items, $0.index, $0.number) }
    }
}
