/// Dates and timestamps as the API writes them: ISO 8601 text (`2025-03-04`,
/// `2025-03-04T10:15:00Z`, `2025-03-04T10:15:00.250+02:00`), read into UTC and written back in
/// the same forms. Pure calendar arithmetic (``CivilDate``), no Foundation and no clock.
public struct Instant: Hashable, Sendable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var seconds: Int
    /// The digits after the seconds' point, as written (`250`), kept so arithmetic does not
    /// lose them.
    public var fraction: String = ""
    /// Whether it was written as a date alone.
    public var isDate: Bool = false

    public init(seconds: Int, fraction: String = "", isDate: Bool = false) {
        self.seconds = seconds
        self.fraction = fraction
        self.isDate = isDate
    }

    public var days: Int { seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400 }
    public var secondOfDay: Int { seconds - days * 86_400 }

    /// Reads ISO 8601 text; nil when it is not a date or timestamp.
    public init?(_ text: String) {
        let b = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= b.count else { return nil }
            var value = 0
            for index in start..<start + count {
                guard b[index] >= 0x30, b[index] <= 0x39 else { return nil }
                value = value * 10 + Int(b[index] - 0x30)
            }
            return value
        }
        guard b.count >= 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              (1...12).contains(month), day >= 1, day <= CivilDate.daysInMonth(year: year, month: month)
        else { return nil }
        let days = CivilDate.days(year: year, month: month, day: day)
        if b.count == 10 {
            self.init(seconds: days * 86_400, isDate: true)
            return
        }
        guard b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " ") || b[10] == UInt8(ascii: "t"),
              let hour = number(11, 2), b.count >= 16, b[13] == UInt8(ascii: ":"), let minute = number(14, 2),
              hour < 24, minute < 60
        else { return nil }
        var index = 16
        var second = 0
        var fraction = ""
        if index < b.count, b[index] == UInt8(ascii: ":") {
            guard let s = number(index + 1, 2), s < 61 else { return nil }
            second = s
            index += 3
            if index < b.count, b[index] == UInt8(ascii: ".") {
                index += 1
                let start = index
                while index < b.count, b[index] >= 0x30, b[index] <= 0x39 { index += 1 }
                guard index > start else { return nil }
                fraction = String(decoding: b[start..<index], as: UTF8.self)
                while fraction.hasSuffix("0") { fraction.removeLast() }
            }
        }
        var offset = 0
        if index < b.count {
            switch b[index] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                index += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign = b[index] == UInt8(ascii: "-") ? -1 : 1
                guard let hours = number(index + 1, 2) else { return nil }
                var minutes = 0
                if index + 3 < b.count {
                    let colon = b[index + 3] == UInt8(ascii: ":") ? 1 : 0
                    guard let m = number(index + 3 + colon, 2) else { return nil }
                    minutes = m
                    index += 3 + colon + 2
                } else {
                    index += 3
                }
                offset = sign * (hours * 3600 + minutes * 60)
            default:
                return nil
            }
        }
        guard index == b.count else { return nil }
        self.init(seconds: days * 86_400 + hour * 3600 + minute * 60 + second - offset, fraction: fraction)
    }

    /// `2025-03-04` for a date; `2025-03-04T10:15:00Z` (with the fraction, if any) otherwise.
    public var text: String {
        let date = CivilDate.string(days: days)
        if isDate { return date }
        let rest = secondOfDay
        let time = "\(CivilDate.pad(rest / 3600, 2)):\(CivilDate.pad(rest / 60 % 60, 2)):\(CivilDate.pad(rest % 60, 2))"
        return date + "T" + time + (fraction.isEmpty ? "" : "." + fraction) + "Z"
    }

    /// Orders two instants: by second, then by the fraction's digits (`5` is `500`).
    public static func compare(_ a: Instant, _ b: Instant) -> Int {
        if a.seconds != b.seconds { return a.seconds < b.seconds ? -1 : 1 }
        var x = Array(a.fraction.utf8), y = Array(b.fraction.utf8)
        while x.count < y.count { x.append(UInt8(ascii: "0")) }
        while y.count < x.count { y.append(UInt8(ascii: "0")) }
        return x == y ? 0 : x.lexicographicallyPrecedes(y) ? -1 : 1
    }

    /// The same second with another fraction.
    func withFraction(_ fraction: String) -> Instant { Instant(seconds: seconds, fraction: fraction, isDate: isDate) }

    /// The instant as a timestamp (a date becomes its midnight, UTC).
    public var asTimestamp: Instant { Instant(seconds: seconds, fraction: fraction, isDate: false) }

    /// The day it falls on, as a date.
    public var asDate: Instant { Instant(seconds: days * 86_400, isDate: true) }

    /// Adds an interval. Months and years keep the day of the month, clamped to the month's
    /// end (`2025-01-31` + 1 month is `2025-02-28`), as PostgreSQL does; a date plus hours,
    /// minutes or seconds is a timestamp.
    public func adding(_ amount: Int, _ unit: IntervalLiteral.Unit) -> Instant? {
        var result = self
        switch unit {
        case .second, .minute, .hour, .day, .week:
            let size = [IntervalLiteral.Unit.second: 1, .minute: 60, .hour: 3600, .day: 86_400, .week: 604_800][unit]!
            let (delta, o1) = amount.multipliedReportingOverflow(by: size)
            let (sum, o2) = seconds.addingReportingOverflow(delta)
            guard !o1, !o2 else { return nil }
            result.seconds = sum
            if unit != .day && unit != .week { result.isDate = false }
        case .month, .year:
            let months = unit == .year ? amount.multipliedReportingOverflow(by: 12) : (partialValue: amount, overflow: false)
            guard !months.overflow, abs(months.partialValue) < 120_000 else { return nil }
            let (year, month, day) = CivilDate.civil(days: days)
            let total = year * 12 + (month - 1) + months.partialValue
            let newYear = total >= 0 ? total / 12 : (total - 11) / 12
            let newMonth = total - newYear * 12 + 1
            let newDay = min(day, CivilDate.daysInMonth(year: newYear, month: newMonth))
            result.seconds = CivilDate.days(year: newYear, month: newMonth, day: newDay) * 86_400 + secondOfDay
        }
        guard (CivilDate.days(year: 1, month: 1, day: 1)...CivilDate.days(year: 9999, month: 12, day: 31)).contains(result.days) else {
            return nil
        }
        return result
    }

    /// The start of the period it falls in, as a timestamp: weeks start on Monday, quarters
    /// on 1 January, April, July and October.
    public func truncated(to unit: IntervalLiteral.Unit, quarter: Bool = false) -> Instant {
        let (year, month, _) = CivilDate.civil(days: days)
        var start: Int
        switch unit {
        case .second: start = seconds
        case .minute: start = seconds - secondOfDay % 60
        case .hour: start = seconds - secondOfDay % 3600
        case .day: start = days * 86_400
        case .week:
            let weekday = ((days % 7) + 7 + 3) % 7  // 1970-01-01 was a Thursday; 0 = Monday
            start = (days - weekday) * 86_400
        case .month:
            let first = quarter ? (month - 1) / 3 * 3 + 1 : month
            start = CivilDate.days(year: year, month: first, day: 1) * 86_400
        case .year: start = CivilDate.days(year: year, month: 1, day: 1) * 86_400
        }
        return Instant(seconds: start)
    }

    /// `extract(field FROM …)`: integers, `dow` 0 = Sunday, `week` the ISO week.
    public func field(_ field: DateField) -> Int {
        let (year, month, day) = CivilDate.civil(days: days)
        switch field {
        case .year: return year
        case .quarter: return (month - 1) / 3 + 1
        case .month: return month
        case .day: return day
        case .hour: return secondOfDay / 3600
        case .minute: return secondOfDay / 60 % 60
        case .second: return secondOfDay % 60
        case .dow: return ((days % 7) + 7 + 4) % 7
        case .doy: return days - CivilDate.days(year: year, month: 1, day: 1) + 1
        case .epoch: return seconds
        case .week:
            // ISO 8601: the week with the year's first Thursday is week 1.
            let isoWeekday = ((days % 7) + 7 + 3) % 7 + 1  // 1 = Monday
            let thursday = days - isoWeekday + 4
            let thursdayYear = CivilDate.civil(days: thursday).year
            return (thursday - CivilDate.days(year: thursdayYear, month: 1, day: 1)) / 7 + 1
        }
    }
}
