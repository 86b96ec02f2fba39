#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CBQCore
import Synchronization

/// How many requests a server is sent at once, adapting to what it says: a 429 or a 503
/// halves the window (at least 1) and, with `Retry-After`, holds every request for that long,
/// not only the one answered; each success grows it back by one, up to `--concurrency`.
/// `RateLimit-Remaining` (or `X-RateLimit-Remaining`) narrows it before the limit is hit, and
/// at 0 every request waits for `RateLimit-Reset`.
///
///     let ticket = try await throttle.enter()      // a slot, after any pause
///     … send …
///     throttle.leave(ticket, answer: reply)          // nil when no answer came
public final class Throttle: Sendable {
    /// One request's place in the window.
    public struct Ticket: Sendable {
        let sentAt: ContinuousClock.Instant
        /// Time this request spent waiting for a pause the server asked for.
        public let waited: Duration
    }

    private struct State {
        var limit: Int
        var inFlight = 0
        var resumeAt: ContinuousClock.Instant?
        /// The wall time of every pause asked for so far.
        var paused = Duration.zero
        /// When the window was last halved: one burst of 429s (every request in flight answered
        /// at once) halves it once.
        var lastCut: ContinuousClock.Instant?
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
        var nextID: UInt64 = 0

        /// Every request waits until `instant` (or a later pause already asked for).
        mutating func pause(from now: ContinuousClock.Instant, until instant: ContinuousClock.Instant) {
            let start = max(now, resumeAt ?? now)
            if instant > start {
                paused += instant - start
                resumeAt = instant
            }
        }

        /// The waiters the window now has room for.
        mutating func admit() -> [CheckedContinuation<Bool, Never>] {
            var admitted: [CheckedContinuation<Bool, Never>] = []
            while inFlight < limit, !waiters.isEmpty {
                inFlight += 1
                admitted.append(waiters.removeFirst().continuation)
            }
            return admitted
        }
    }

    public let maximum: Int
    /// The longest pause a server may ask for; a longer one is the sender's error to report.
    let longestPause: Duration
    /// Seconds since 1970, for `Retry-After` dates (``RetryPolicy/now``).
    let wallClock: @Sendable () -> Int
    private let state: Mutex<State>

    public init(maximum: Int, longestPause: Duration = .seconds(120), wallClock: @escaping @Sendable () -> Int = { Int(time(nil)) }) {
        self.maximum = max(1, maximum)
        self.longestPause = longestPause
        self.wallClock = wallClock
        state = Mutex(State(limit: max(1, maximum)))
    }

    /// The window now.
    public var limit: Int { state.withLock { $0.limit } }
    /// How long every request was held, in all.
    public var paused: Duration { state.withLock { $0.paused } }

    /// Waits for a place in the window, then for any pause the server asked for.
    public func enter() async throws -> Ticket {
        try await acquire()
        var waited = Duration.zero
        while let until = state.withLock({ $0.resumeAt }), until > .now {
            let started = ContinuousClock.now
            do {
                try await Task.sleep(until: until, clock: .continuous)
            } catch {
                release()
                throw error
            }
            waited += ContinuousClock.now - started
        }
        return Ticket(sentAt: .now, waited: waited)
    }

    /// Gives the place back, after learning from the answer (nil: none came).
    public func leave(_ ticket: Ticket, answer: HTTPReply?) {
        let now = ContinuousClock.now
        let status = answer?.status ?? 0
        func header(_ name: String) -> String? { answer?.header(name) }
        state.withLock { state in
            if status == 429 || status == 503 {
                if state.lastCut.map({ ticket.sentAt > $0 }) ?? true {
                    state.limit = max(1, state.limit / 2)
                    state.lastCut = now
                }
                if let value = header("Retry-After"),
                   let seconds = RetryPolicy.retryAfterSeconds(value, now: wallClock()) {
                    state.pause(from: now, until: now + min(.seconds(seconds), longestPause))
                }
            } else if (200..<300).contains(status) {
                state.limit = min(maximum, state.limit + 1)
            }
            // A server that says how many requests it has left: never more in flight than that,
            // and none at all until the reset when it has none.
            if let remaining = (header("RateLimit-Remaining") ?? header("X-RateLimit-Remaining"))
                .flatMap({ Int($0.trimming(.whitespace)) }), remaining >= 0 {
                state.limit = max(1, min(state.limit, remaining))
                if remaining == 0, let reset = (header("RateLimit-Reset") ?? header("X-RateLimit-Reset"))
                    .flatMap({ Self.resetSeconds($0, now: wallClock()) }) {
                    state.pause(from: now, until: now + min(.seconds(reset), longestPause))
                }
            }
        }
        release()
    }

    private func acquire() async throws {
        let id: UInt64? = state.withLock { state in
            if state.inFlight < state.limit, state.waiters.isEmpty {
                state.inFlight += 1
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return }
        let admitted = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let answer: Bool? = state.withLock { state in
                    if Task.isCancelled { return false }
                    state.waiters.append((id, continuation))
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
                // A place may have come free meanwhile.
                for waiter in state.withLock({ $0.admit() }) { waiter.resume(returning: true) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(returning: false)
        }
        guard admitted else { throw CancellationError() }
    }

    private func release() {
        let admitted = state.withLock { state in
            state.inFlight -= 1
            return state.admit()
        }
        for waiter in admitted { waiter.resume(returning: true) }
    }

    /// `RateLimit-Reset`: seconds from now, or (as some servers send `X-RateLimit-Reset`) a
    /// time in seconds since 1970.
    static func resetSeconds(_ value: String, now: Int) -> Int? {
        guard let number = Int(value.trimming(.whitespace)), number >= 0 else { return nil }
        return number > 1_000_000_000 ? max(0, number - now) : number
    }
}

/// The throttles of one executor, by origin, made on first use.
final class Throttles: Sendable {
    private let byOrigin = Mutex<[String: Throttle]>([:])

    func throttle(for origin: String, _ make: () -> Throttle) -> Throttle {
        byOrigin.withLock { throttles in
            if let known = throttles[origin] { return known }
            let made = make()
            throttles[origin] = made
            return made
        }
    }
}
