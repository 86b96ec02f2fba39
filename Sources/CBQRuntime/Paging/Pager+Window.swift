import CBQCore

extension Pager {
    /// Fetches pages `firstPage`…`pageCount` with up to `concurrency` requests in flight,
    /// emitting in order, and no more pages than the row cap or `--max-pages` need.
    /// Where a window ended on a page that may not be the last: full, and linking to another
    /// (or with no links to say). The caller follows the pages after it.
    struct WindowEnd {
        var page: FetchedPage
        var url: RequestURL
        var number: Int
        var urls: [RequestURL]
    }

    /// - Returns: where to go on when the page count fell short, else nil.
    /// - Parameter previous: the page before `firstPage`, already taken.
    func fetchWindow(from firstPage: Int, through pageCount: Int, after previous: FetchedPage, expectedTotal total: Int?,
                     template: PageTemplate, _ emit: Executor.Emit) async throws -> WindowEnd? {
        let size = plan.pageSize!
        // The pages the statement needs: all the count has, or, under a LIMIT the server's
        // rows decide, the pages that hold it.
        var neededPage = pageCount
        if plan.local.isEmpty, let cap = plan.rowCap {
            let needed = plan.skipRows + cap  // rows from the start page on
            neededPage = min(neededPage, plan.startPage - 1 + (needed + size - 1) / size)
        }
        let lastPage = min(neededPage, plan.startPage - 1 + maxPages)
        // --max-pages cut off pages the statement needs: the result is incomplete.
        let moreThanAllowed = neededPage > lastPage
        guard firstPage <= lastPage else {
            if moreThanAllowed { summary.truncation = "stopped after \(summary.pages) pages (--max-pages); more pages remain" }
            return nil
        }
        let urls = (firstPage...lastPage).map { template.url(page: $0) }
        var endedAt404 = false
        var lastTaken = previous
        let taken = try await fetchInOrder(urls) { (pager, position, page) throws -> Bool in
            guard let page else {
                pager.notFound(page: firstPage + position, after: lastTaken, expectedTotal: total)
                endedAt404 = true
                return false
            }
            pager.noteTotalChange(page.document, expected: total)
            try pager.consume(page, emit)
            lastTaken = page
            // An empty page that links on is not the end (a server that drops rows the reader
            // may not see after paging leaves pages short, even empty).
            return !pager.capReached && (!page.document.rows.isEmpty || pager.morePages(after: page, expectedTotal: total))
        }
        guard taken == urls.count, !endedAt404, !capReached else { return nil }
        if moreThanAllowed {
            summary.truncation = "stopped after \(summary.pages) pages (--max-pages); more pages remain"
            return nil
        }
        // The window's last page: the end, unless it is full and says there is more, or says so
        // whatever its size (a next link; without links, a total beyond the rows read): a server
        // that drops rows after paging leaves pages short, even empty. The count fell short
        // (the collection grew, or rows were dropped), or a LIMIT's pages held fewer rows than
        // planned (rows repeated from a page before were dropped): the pages after it are
        // followed, as they are one at a time.
        let last = lastTaken
        let fullAndMore = last.document.rows.count == plan.pageSize && (last.document.next != nil || !last.document.hasLinks)
        guard fullAndMore || morePages(after: last, expectedTotal: total) else { return nil }
        if summary.pages >= maxPages {
            summary.truncation = "stopped after \(summary.pages) pages (--max-pages); more pages remain"
            return nil
        }
        return WindowEnd(page: last, url: urls[urls.count - 1], number: lastPage, urls: urls)
    }

    /// Fetches `urls` with `concurrency` requests in flight at every moment (a new one starts
    /// as soon as any finishes) and hands each answer to `take` in the list's order (nil: a
    /// 404), until `take` says stop or the list ends; the requests still in flight are then
    /// cancelled. Pages that arrive ahead of the one to take next wait for it; requests run
    /// at most two windows ahead of it, so no more than that many pages are ever held. Returns
    /// how many answers `take` was given.
    func fetchInOrder(_ urls: [RequestURL],
                               _ take: (Pager, Int, FetchedPage?) throws -> Bool) async throws -> Int {
        guard !urls.isEmpty else { return 0 }
        let fetcher = self.fetcher
        let window = max(1, concurrency)
        return try await withThrowingTaskGroup(of: (Int, FetchedPage?).self) { group in
            var nextToLaunch = 0
            var nextToTake = 0
            var inFlight = 0
            var ready: [Int: FetchedPage?] = [:]
            func refill() {
                while nextToLaunch < urls.count, inFlight < window, nextToLaunch - nextToTake < 2 * window {
                    let index = nextToLaunch
                    let url = urls[index]
                    group.addTask { (index, try await fetcher.fetch(url, acceptNotFound: true)) }
                    nextToLaunch += 1
                    inFlight += 1
                }
            }
            refill()
            while let (index, page) = try await group.next() {
                inFlight -= 1
                ready[index] = page
                // The next request leaves before this page's rows are handled.
                refill()
                while let entry = ready.removeValue(forKey: nextToTake) {
                    let goOn = try take(self, nextToTake, entry)
                    nextToTake += 1
                    guard goOn, nextToTake < urls.count else {
                        group.cancelAll()
                        return nextToTake
                    }
                }
                refill()
            }
            return nextToTake
        }
    }
}
