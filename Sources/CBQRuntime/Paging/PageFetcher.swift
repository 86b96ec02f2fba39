import CBQCore

/// One page after its stages: the document, the rows that passed the local predicates (before
/// de-duplication, which needs page order), and what it cost.
struct FetchedPage: Sendable {
    var document: IndexedDocument
    var passed: [RawRow]
    var bytes: Int
    var attempts: Int
    /// Waiting between attempts, and the whole time from sending to a filtered page.
    var waited: Duration = .zero
    var elapsed: Duration = .zero
    /// Attempts answered 429 or 503.
    var throttled = 0
    /// What was asked for, for errors about the answer.
    var url: RequestURL?
    /// The identities (``RawRow/identityHash``) of `passed` and of all the document's rows, in
    /// order: made where the page is decoded, on any thread, so the pager, which takes pages
    /// one at a time, only looks them up. Empty when not made (the pager makes them).
    var identities: [UInt64] = []
    var allIdentities: [UInt64] = []

    /// Makes ``identities`` and ``allIdentities``.
    mutating func identify() {
        allIdentities = document.rows.map(\.identityHash)
        identities = passed.count == allIdentities.count ? allIdentities : passed.map(\.identityHash)
    }
}

/// The stages of one page, in order: send the GET (``RequestSender``), decode the document
/// (``PageDecoder``), keep the rows the local predicates accept (``LocalFilter``). The pager
/// calls it for each page, several at once in a window.
struct PageFetcher: Sendable {
    let sender: RequestSender
    let filter: LocalFilter

    /// - Parameter acceptNotFound: a 404 is nil (a page past the end, a missing resource).
    func fetch(_ url: RequestURL, acceptNotFound: Bool = false) async throws -> FetchedPage? {
        let started = ContinuousClock.now
        let response = try await sender.send(APIRequest(.get, url), passing: acceptNotFound ? [404] : [])
        if response.status == 404 { return nil }
        let document = try PageDecoder.decode(response.body, url: url)
        var page = FetchedPage(document: document, passed: try filter.apply(document.rows), bytes: response.body.count, attempts: response.attempts,
                               waited: response.waited, elapsed: ContinuousClock.now - started, throttled: response.throttled, url: url)
        page.identify()
        return page
    }
}
