#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CBQCore

/// When to try a request again, and how long to wait: exponential backoff with jitter on 429,
/// 502, 503, 504 and connection failures, honouring `Retry-After` (seconds or an HTTP date).
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maxAttempts = 5
    public var baseDelay: Duration = .milliseconds(250)
    public var maxDelay: Duration = .seconds(30)
    /// A longer `Retry-After` is an error rather than a silent long wait.
    public var maxRetryAfter: Duration = .seconds(120)
    /// Seconds since 1970, for `Retry-After` dates; the system clock unless a test fixes it.
    public var now: @Sendable () -> Int = { Int(time(nil)) }

    public init() {}

    public static let retryableStatuses: Set<Int> = [429, 502, 503, 504]

    /// What went wrong with one attempt.
    public enum Failure: Sendable {
        case transport(TransportError.Kind)
        case status(Int)
    }

    /// Whether a request may be sent again after `failure`. An idempotent request (GET, PATCH,
    /// DELETE) may, after a retryable status or any failure below HTTP but an oversized answer.
    /// A POST only when the server provably did not act on it: a 429, or a connection that was
    /// never made. After a reset, a timeout or any 5xx (a 503 with Retry-After too: a gateway
    /// may answer it after passing the request on) it may have created the resource, and a
    /// second POST would create another, so it is reported instead.
    public func mayRepeat(_ method: RequestMethod, after failure: Failure) -> Bool {
        switch failure {
        case .transport(let kind):
            if kind == .tooLarge { return false }
            return method.isIdempotent || kind == .connect
        case .status(let status):
            guard Self.retryableStatuses.contains(status) else { return false }
            return method.isIdempotent || status == 429
        }
    }

    /// What to do before attempt `attempt + 1` (attempt counts from 1).
    public enum Pause: Equatable, Sendable {
        case wait(Duration)
        /// The server's `Retry-After` asks for longer than ``maxRetryAfter``: an error, not a
        /// silent wait.
        case refuse(seconds: Int)
    }

    public func pause(afterAttempt attempt: Int, retryAfter: String?) -> Pause {
        if let retryAfter, let seconds = Self.retryAfterSeconds(retryAfter, now: now()) {
            return Duration.seconds(seconds) > maxRetryAfter ? .refuse(seconds: seconds) : .wait(.seconds(seconds))
        }
        return .wait(backoff(afterAttempt: attempt))
    }

    /// Exponential backoff, capped, with jitter.
    func backoff(afterAttempt attempt: Int) -> Duration {
        let exponential = baseDelay * (1 << min(attempt - 1, 20))
        let capped = min(exponential, maxDelay)
        // Full jitter on half the delay, so many clients do not retry in step.
        let jitter = Double.random(in: 0...0.5)
        return capped * (0.5 + jitter)
    }

    /// `Retry-After: 120` or `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`, as seconds from now.
    public static func retryAfterSeconds(_ value: String, now: Int) -> Int? {
        let trimmed = value.trimming(.whitespace)
        if let seconds = Int(trimmed) { return max(0, seconds) }
        // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
        let parts = trimmed.split(separator: " ")
        // Every number is the server's: out-of-range ones are no date (and no overflow).
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let year = Int(parts[3]),
              (1...31).contains(day), (1...9999).contains(year) else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let monthIndex = months.firstIndex(of: String(parts[2])) else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3, (0..<24).contains(clock[0]), (0..<60).contains(clock[1]), (0...60).contains(clock[2]) else { return nil }
        let days = CivilDate.days(year: year, month: monthIndex + 1, day: day)
        let date = days * 86_400 + clock[0] * 3_600 + clock[1] * 60 + clock[2]
        return max(0, date - now)
    }
}
