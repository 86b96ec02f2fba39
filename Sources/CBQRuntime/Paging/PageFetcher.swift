import CBQCore

/// One page after its stages: the document, the rows that passed the local predicates (before
/// de-duplication, which needs page order), and what it cost.
struct FetchedPage: Sendable {
    let document: IndexedDocument
    let passed: [RawRow]
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
    /// order: made with the page, where it is decoded (several pages at once), so the pager,
    /// which takes pages one at a time, only looks them up.
    let identities: [UInt64]
    let allIdentities: [UInt64]

    init(document: IndexedDocument, passed: [RawRow], bytes: Int, attempts: Int, waited: Duration = .zero, elapsed: Duration = .zero,
         throttled: Int = 0, url: RequestURL? = nil) {
        self.document = document
        self.passed = passed
        self.bytes = bytes
        self.attempts = attempts
        self.waited = waited
        self.elapsed = elapsed
        self.throttled = throttled
        self.url = url
        allIdentities = document.rows.map(\.identityHash)
        // A local filter only removes rows: when it kept them all, they are the page's.
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
        return FetchedPage(document: document, passed: try filter.apply(document.rows), bytes: response.body.count, attempts: response.attempts,
                           waited: response.waited, elapsed: ContinuousClock.now - started, throttled: response.throttled, url: url)
    }
}
