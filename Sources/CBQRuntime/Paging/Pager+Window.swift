import CBQCore

extension Pager {
    /// Fetches pages `firstPage`…`pageCount` with up to `concurrency` requests in flight,
    /// emitting in order, and no more pages than the row cap or `--max-pages` need.
    mutating func fetchWindow(from firstPage: Int, through pageCount: Int, expectedTotal total: Int?, template: PageTemplate,
                              _ emit: Executor.Emit) async throws {
        let size = plan.pageSize!
        var lastPage = pageCount
        if plan.local.isEmpty, let cap = plan.rowCap {
            let needed = plan.skipRows + cap  // rows from the start page on
            lastPage = min(lastPage, plan.startPage - 1 + (needed + size - 1) / size)
        }
        lastPage = min(lastPage, plan.startPage - 1 + maxPages)
        let moreThanAllowed = pageCount > lastPage && !(plan.local.isEmpty && plan.rowCap != nil)
        guard firstPage <= lastPage else { return }
        let fetcher = self.fetcher
        let window = concurrency
        try await withThrowingTaskGroup(of: (Int, FetchedPage?).self) { group in
            var nextToLaunch = firstPage
            var nextToEmit = firstPage
            var ready: [Int: FetchedPage?] = [:]
            func launch() {
                let number = nextToLaunch
                let url = template.url(page: number)
                group.addTask { (number, try await fetcher.fetch(url, acceptNotFound: true)) }
                nextToLaunch += 1
            }
            while nextToLaunch <= lastPage && nextToLaunch - nextToEmit < window { launch() }
            while let (number, page) = try await group.next() {
                ready[number] = page
                while let entry = ready.removeValue(forKey: nextToEmit) {
                    guard let page = entry else {
                        notFound(page: nextToEmit)
                        group.cancelAll()
                        return
                    }
                    noteTotalChange(page.document, expected: total)
                    try consume(page, emit)
                    nextToEmit += 1
                    if capReached || page.document.rows.isEmpty || nextToEmit > lastPage {
                        group.cancelAll()
                        if nextToEmit > lastPage, moreThanAllowed, !capReached {
                            summary.truncation = "stopped after \(summary.pages) pages (--max-pages); more pages remain"
                        }
                        return
                    }
                    if nextToLaunch <= lastPage { launch() }
                }
            }
        }
    }
}
