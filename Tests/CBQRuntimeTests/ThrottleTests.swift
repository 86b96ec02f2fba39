import CBQCore
import Testing
@testable import CBQRuntime

/// The window a server allows: halved by 429 and 503 (once per burst), grown back one at a
/// time, narrowed by RateLimit headers, and a Retry-After pause held by every request.
struct ThrottleTests {
    @Test func a429HalvesTheWindowOncePerBurstAndSuccessGrowsItBack() async throws {
        let throttle = Throttle(maximum: 8)
        var tickets: [Throttle.Ticket] = []
        for _ in 0..<8 { tickets.append(try await throttle.enter()) }
        // Every request in flight answered 429 at once: one halving, not eight.
        for ticket in tickets { throttle.leave(ticket, answer: HTTPReply(status: 429)) }
        #expect(throttle.limit == 4)
        // A request sent after the cut that is refused again halves it again.
        let later = try await throttle.enter()
        throttle.leave(later, answer: HTTPReply(status: 503))
        #expect(throttle.limit == 2)
        for expected in [3, 4, 5, 6, 7, 8, 8] {
            let ticket = try await throttle.enter()
            throttle.leave(ticket, answer: HTTPReply(status: 200))
            #expect(throttle.limit == expected)
        }
        var floor = Throttle(maximum: 1)
        let one = try await floor.enter()
        floor.leave(one, answer: HTTPReply(status: 429))
        #expect(floor.limit == 1, "never below one")
        floor = Throttle(maximum: 3)
        #expect(floor.paused == .zero)
    }

    @Test func retryAfterHoldsEveryRequestOnce() async throws {
        let throttle = Throttle(maximum: 4, wallClock: { 1_000 })
        let first = try await throttle.enter(), second = try await throttle.enter()
        throttle.leave(first, answer: HTTPReply(status: 429, headers: [("Retry-After", "1")]))
        // The same pause asked for twice is waited for once.
        throttle.leave(second, answer: HTTPReply(status: 429, headers: [("retry-after", "1")]))
        #expect(throttle.paused >= .milliseconds(999) && throttle.paused < .milliseconds(1_100))
        // A request entering now waits for it, then goes.
        let next = try await throttle.enter()
        #expect(next.waited > .zero)
        throttle.leave(next, answer: HTTPReply(status: 200))
        // A date in the past is no pause; one too far is cut to the longest allowed.
        let capped = Throttle(maximum: 2, longestPause: .seconds(2), wallClock: { 1_000 })
        let ticket = try await capped.enter()
        capped.leave(ticket, answer: HTTPReply(status: 503, headers: [("Retry-After", "Thu, 01 Jan 1970 00:00:10 GMT")]))
        #expect(capped.paused == .zero)
    }

    @Test func rateLimitHeadersNarrowTheWindowBeforeTheLimit() async throws {
        let throttle = Throttle(maximum: 8, wallClock: { 1_000 })
        let ticket = try await throttle.enter()
        throttle.leave(ticket, answer: HTTPReply(status: 200, headers: [("X-RateLimit-Remaining", "3")]))
        #expect(throttle.limit == 3)
        let last = try await throttle.enter()
        throttle.leave(last, answer: HTTPReply(status: 200, headers: [("RateLimit-Remaining", "0"), ("RateLimit-Reset", "0")]))
        #expect(throttle.limit == 1)
        #expect(throttle.paused == .zero)
        #expect(Throttle.resetSeconds("30", now: 1_000) == 30)
        #expect(Throttle.resetSeconds("1700000030", now: 1_700_000_000) == 30, "an epoch time, as X-RateLimit-Reset often is")
        #expect(Throttle.resetSeconds("-1", now: 0) == nil && Throttle.resetSeconds("soon", now: 0) == nil)
    }

    /// A request waiting for a place gives it up when cancelled, and the window stays whole.
    @Test func aCancelledWaiterLeavesNoHole() async throws {
        let throttle = Throttle(maximum: 1)
        let held = try await throttle.enter()
        let waiter = Task { try await throttle.enter() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiter.value }
        throttle.leave(held, answer: HTTPReply(status: 200))
        // Had the cancelled waiter kept a place, this would wait forever.
        let again = try await throttle.enter()
        throttle.leave(again, answer: HTTPReply(status: 200))
    }

    /// A Retry-After the throttle cannot read is no pause for everyone: the refused request
    /// backs off on its own, and is not sent again at once.
    @Test func anUnreadableRetryAfterStillBacksOff() async throws {
        final class Refusing: HTTPTransport, @unchecked Sendable {
            var sent = 0
            func send(_ request: HTTPRequestSpec) async throws -> HTTPReply {
                sent += 1
                if sent == 1 { return HTTPReply(status: 429, headers: [("Retry-After", "1.5")], body: []) }
                return HTTPReply(status: 200, body: Array(#"{"data":[]}"#.utf8))
            }
        }
        var retry = RetryPolicy()
        retry.baseDelay = .milliseconds(20)
        let transport = Refusing()
        let sender = RequestSender(transport: transport, origin: "https://api.test:443", retry: retry, throttle: Throttle(maximum: 4))
        let response = try await sender.send(APIRequest(.get, RequestURL("https://api.test/a/b")!))
        #expect(response.status == 200 && response.throttled == 1)
        #expect(response.waited >= .milliseconds(10), "backed off")
    }
}
