import CBQCore
import Synchronization
import Testing
@testable import CBQRuntime

/// A server of `pages` numbered pages of two rows each, answering after a short delay and
/// recording the most requests it ever had in flight at once.
final class ProbeTransport: HTTPTransport, @unchecked Sendable {
    let pages: Int
    let withTotal: Bool
    let withLast: Bool
    /// A page answered only once this many requests have been made (or after 3 s).
    let hold: (page: Int, untilRequests: Int)?
    /// Where meta keeps the total (with `withTotal`), and a total to claim instead of the true one.
    var totalPath = ["total"]
    var claimedTotal: Int?
    private let state = Mutex((inFlight: 0, most: 0, requests: 0, requestsWhenHeldPageWasAnswered: 0))

    init(pages: Int, withTotal: Bool, withLast: Bool, hold: (page: Int, untilRequests: Int)? = nil) {
        self.pages = pages
        self.withTotal = withTotal
        self.withLast = withLast
        self.hold = hold
    }

    var mostInFlight: Int { state.withLock { $0.most } }
    var requests: Int { state.withLock { $0.requests } }
    var requestsWhenHeldPageWasAnswered: Int { state.withLock { $0.requestsWhenHeldPageWasAnswered } }

    func send(_ request: HTTPRequestSpec) async throws -> HTTPReply {
        state.withLock { $0.inFlight += 1; $0.most = max($0.most, $0.inFlight); $0.requests += 1 }
        defer { state.withLock { $0.inFlight -= 1 } }
        try await Task.sleep(for: .milliseconds(15))
        let query = request.url.query ?? ""
        let number = query.split(separator: "&").first { $0.hasPrefix("page=") }.flatMap { Int($0.dropFirst(5)) } ?? 1
        if let hold, hold.page == number {
            let deadline = ContinuousClock.now + .seconds(3)
            while requests < hold.untilRequests && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            state.withLock { $0.requestsWhenHeldPageWasAnswered = $0.requests }
        }
        let base = "https://api.test/a/b?page%5Bsize%5D=2"
        var members: [JSONMember] = [JSONMember("data", .array((1...2).map { row in
            .object([JSONMember("type", "t"), JSONMember("id", .string("r\(number)-\(row)")), JSONMember("attributes", .object([]))])
        }))]
        var links = [JSONMember("self", .string("\(base)&page=\(number)"))]
        if number < pages { links.append(JSONMember("next", .string("\(base)&page=\(number + 1)"))) }
        if withLast { links.append(JSONMember("last", .string("\(base)&page=\(pages)"))) }
        members.append(JSONMember("links", .object(links)))
        if withTotal {
            var value = JSONValue.number(Double(claimedTotal ?? pages * 2))
            for name in totalPath.reversed() { value = .object([JSONMember(name, value)]) }
            members.append(JSONMember("meta", value))
        }
        return HTTPReply(status: 200, body: Array(JSONWriter.serialize(.object(members)).utf8))
    }
}

@Suite(.timeLimit(.minutes(3)))
struct ConcurrencyTests {
    private func fetch(_ transport: ProbeTransport, _ statement: String = "SELECT * FROM a.b") async throws -> [String] {
        try await fetchWithSummary(transport, statement).ids
    }

    private func fetchWithSummary(_ transport: ProbeTransport, _ statement: String = "SELECT * FROM a.b") async throws
        -> (ids: [String], summary: ExecutionSummary) {
        var planner = PlannerOptions()
        planner.defaultPageSize = 2
        planner.maxPageSize = 2  // so LIMIT cannot change page[size] either
        return try await run(statement, baseURL: "https://api.test", transport: transport, plannerOptions: planner)
    }

    private var allIDs: [String] { (1...10).flatMap { page in ["r\(page)-1", "r\(page)-2"] } }

    @Test func aTotalInMetaLetsPagesBeFetchedAtOnceAndStillInOrder() async throws {
        let transport = ProbeTransport(pages: 10, withTotal: true, withLast: false)
        #expect(try await fetch(transport) == allIDs)
        #expect(transport.mostInFlight > 1)
        #expect(transport.requests == 10)
    }

    @Test func aLastLinkAloneIsEnoughToKnowThePageCount() async throws {
        let transport = ProbeTransport(pages: 10, withTotal: false, withLast: true)
        #expect(try await fetch(transport) == allIDs)
        #expect(transport.mostInFlight > 1)
        #expect(transport.requests == 10)
    }

    @Test func withoutACountPagesAreFollowedOneByOne() async throws {
        let transport = ProbeTransport(pages: 10, withTotal: false, withLast: false)
        #expect(try await fetch(transport) == allIDs)
        #expect(transport.mostInFlight == 1)
    }

    /// A slow page does not stall the window: while page 2 is awaited, the requests after it
    /// go on (up to two windows ahead of it), and every row still comes out in order.
    @Test func aSlowPageDoesNotEmptyTheWindow() async throws {
        let transport = ProbeTransport(pages: 20, withTotal: true, withLast: false, hold: (page: 2, untilRequests: 14))
        #expect(try await fetch(transport) == (1...20).flatMap { page in ["r\(page)-1", "r\(page)-2"] })
        #expect(transport.requestsWhenHeldPageWasAnswered >= 14, "requests launched while page 2 was awaited")
        #expect(transport.mostInFlight <= 8)
    }

    /// A total where other servers keep it is found without --total-path, and sizes the window.
    @Test(arguments: [["count"], ["total_count"], ["totalCount"], ["pagination", "count"], ["pagination", "total"], ["page", "total"]])
    func aTotalWhereServersKeepItIsFound(path: [String]) async throws {
        let transport = ProbeTransport(pages: 10, withTotal: true, withLast: false)
        transport.totalPath = path
        let (ids, summary) = try await fetchWithSummary(transport)
        #expect(ids == allIDs)
        #expect(transport.mostInFlight > 1, "the window was used")
        #expect(transport.requests == 10)
        #expect(summary.pageCountSource == "meta." + path.joined(separator: "."))
    }

    /// A found count that is short (a per-page count, say) ends the window on a full page that
    /// links on: the pages after it are followed, and no row is lost.
    @Test func aCountThatFallsShortIsFollowedPastItsEnd() async throws {
        let transport = ProbeTransport(pages: 10, withTotal: true, withLast: false)
        transport.totalPath = ["count"]
        transport.claimedTotal = 8  // 4 pages of 2; there are 10
        #expect(try await fetch(transport) == allIDs)
        #expect(transport.requests == 10)
        // A count that makes the full first page the last (a per-page count) is no count.
        let perPage = ProbeTransport(pages: 10, withTotal: true, withLast: false)
        perPage.totalPath = ["count"]
        perPage.claimedTotal = 2
        #expect(try await fetch(perPage) == allIDs)
        // The same with the dialect's own total: the collection grew while it was read.
        let grown = ProbeTransport(pages: 10, withTotal: true, withLast: false)
        grown.claimedTotal = 12
        #expect(try await fetch(grown) == allIDs)
    }

    @Test func theWindowRespectsTheRowCap() async throws {
        let transport = ProbeTransport(pages: 10, withTotal: true, withLast: true)
        // LIMIT 5 with page[size]=2: three pages, no more.
        #expect(try await fetch(transport, "SELECT * FROM a.b LIMIT 5") == Array(allIDs.prefix(5)))
        #expect(transport.requests == 3)
        #expect(transport.mostInFlight == 2, "pages 2 and 3 together, after page 1")
    }
}
