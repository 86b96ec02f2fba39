/// A decimal number held exactly: `significand / 10^scale`, so `1234.50 + 1234.50` is `2469.00`,
/// never `2469.0000000001`. Arithmetic that would overflow 64 bits returns nil, and the caller
/// falls back to a `Double`.
public struct ExactDecimal: Sendable, CustomStringConvertible {
    public var significand: Int
    /// Digits after the point, 0 through 18.
    public var scale: Int

    public static let maxScale = 18
    public static let powers: [Int] = (0...18).map { exponent in (0..<exponent).reduce(1) { result, _ in result * 10 } }

    public init(significand: Int, scale: Int) {
        self.significand = significand
        self.scale = scale
    }

    /// Reads `-12.340` (no exponent); nil when it has more digits than 64 bits hold. The
    /// magnitude is read unsigned, so the smallest integer, -9223372036854775808, fits too.
    public init?<Bytes: Collection>(spelling bytes: Bytes) where Bytes.Element == UInt8 {
        var magnitude: UInt = 0, scale = 0, negative = false, afterPoint = false, digits = 0
        var index = bytes.startIndex
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "-") { negative = true; index = bytes.index(after: index) }
        else if index < bytes.endIndex, bytes[index] == UInt8(ascii: "+") { index = bytes.index(after: index) }
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: ".") {
                if afterPoint { return nil }
                afterPoint = true
            } else if byte >= 0x30 && byte <= 0x39 {
                let (times, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(UInt(byte - 0x30))
                if o1 || o2 { return nil }
                magnitude = sum
                digits += 1
                if afterPoint { scale += 1 }
            } else {
                return nil
            }
            index = bytes.index(after: index)
        }
        guard digits > 0, scale <= Self.maxScale, magnitude <= (negative ? UInt(Int.max) + 1 : UInt(Int.max)) else { return nil }
        self.init(significand: negative ? Int(truncatingIfNeeded: 0 &- magnitude) : Int(magnitude), scale: scale)
    }

    public init?(_ text: String) { self.init(spelling: Array(text.utf8)) }

    public var double: Double { Double(significand) / Double(Self.powers[scale]) }

    /// Whole when nothing is after the point: `2.00` is 2.
    public var integerValue: Int? {
        let power = Self.powers[scale]
        return significand % power == 0 ? significand / power : nil
    }

    /// The digits, scale kept: `2469.00`, `-0.5`.
    public var description: String {
        guard scale > 0 else { return String(significand) }
        let magnitude = significand.magnitude
        let power = UInt(Self.powers[scale])
        let whole = magnitude / power, fraction = magnitude % power
        let fractionText = String(fraction)
        return (significand < 0 ? "-" : "") + String(whole) + "."
            + String(repeating: "0", count: scale - fractionText.count) + fractionText
    }

    /// The same value at a larger scale, if it fits.
    func rescaled(to newScale: Int) -> ExactDecimal? {
        guard newScale >= scale, newScale <= Self.maxScale else { return nil }
        let (value, overflow) = significand.multipliedReportingOverflow(by: Self.powers[newScale - scale])
        return overflow ? nil : ExactDecimal(significand: value, scale: newScale)
    }

    /// Without trailing zeros after the point: `1.50` → `1.5`, for equality and hashing.
    var normalized: ExactDecimal {
        var result = self
        while result.scale > 0, result.significand % 10 == 0 {
            result.significand /= 10
            result.scale -= 1
        }
        return result
    }

    public static func + (a: ExactDecimal, b: ExactDecimal) -> ExactDecimal? {
        let scale = max(a.scale, b.scale)
        guard let x = a.rescaled(to: scale), let y = b.rescaled(to: scale) else { return nil }
        let (sum, overflow) = x.significand.addingReportingOverflow(y.significand)
        return overflow ? nil : ExactDecimal(significand: sum, scale: scale)
    }

    public static prefix func - (a: ExactDecimal) -> ExactDecimal? {
        a.significand == .min ? nil : ExactDecimal(significand: -a.significand, scale: a.scale)
    }

    public static func * (a: ExactDecimal, b: ExactDecimal) -> ExactDecimal? {
        let (product, overflow) = a.significand.multipliedReportingOverflow(by: b.significand)
        guard !overflow else { return nil }
        var result = ExactDecimal(significand: product, scale: a.scale + b.scale)
        while result.scale > maxScale {
            guard result.significand % 10 == 0 else { return nil }
            result.significand /= 10
            result.scale -= 1
        }
        return result
    }

    /// The remainder of `a / b` truncated toward zero, at the larger scale (`-123.456 % 1.005`
    /// is `-0.846`, as in PostgreSQL); nil when the scales do not align within 64 bits, or `b`
    /// is zero.
    public static func % (a: ExactDecimal, b: ExactDecimal) -> ExactDecimal? {
        let scale = max(a.scale, b.scale)
        guard let x = a.rescaled(to: scale), let y = b.rescaled(to: scale), y.significand != 0 else { return nil }
        let (remainder, overflow) = x.significand.remainderReportingOverflow(dividingBy: y.significand)
        return overflow ? nil : ExactDecimal(significand: remainder, scale: scale)
    }

    /// Orders two decimals exactly when their scales align within 64 bits, else by `Double`.
    public static func compare(_ a: ExactDecimal, _ b: ExactDecimal) -> Int {
        let scale = max(a.scale, b.scale)
        if let x = a.rescaled(to: scale), let y = b.rescaled(to: scale) {
            return x.significand < y.significand ? -1 : x.significand > y.significand ? 1 : 0
        }
        return a.double < b.double ? -1 : a.double > b.double ? 1 : 0
    }

    /// Rounded to `digits` after the point, half away from zero: `2.675` → `2.68`.
    /// `round(64, 1)` is `64.0`: a result has exactly `digits` after the point, as in PostgreSQL.
    /// Nil when the result does not fit (rounding up past 64 bits).
    public func rounded(digits: Int) -> ExactDecimal? {
        guard digits < scale else { return rescaled(to: digits) ?? self }
        if digits < 0 {
            // Left of the point: the fraction is dropped, not rounded, and the whole number is
            // rounded to tens. Rounding it to a whole number first would round twice (1249.5 →
            // 1250 → 1300, where 1200 is right); a fraction never decides, since the half-way
            // point of tens (50 for hundreds) is itself a whole number.
            let whole = significand / Self.powers[scale]
            return whole.roundedToTens(-digits).map { ExactDecimal(significand: $0, scale: 0) }
        }
        let power = Self.powers[scale - digits]
        var quotient = significand / power
        if (significand % power).magnitude * 2 >= UInt(power) { quotient += significand < 0 ? -1 : 1 }
        return ExactDecimal(significand: quotient, scale: digits)
    }
}

extension Int {
    /// Rounds to a multiple of 10^places, half away from zero (`round(1250, -2)` is 1300).
    func roundedToTens(_ places: Int) -> Int? {
        guard places > 0, places <= 18 else { return places > 18 ? 0 : self }
        let power = ExactDecimal.powers[places]
        var quotient = self / power
        if (self % power).magnitude * 2 >= UInt(power) { quotient += self < 0 ? -1 : 1 }
        let (value, overflow) = quotient.multipliedReportingOverflow(by: power)
        return overflow ? nil : value
    }
}

extension ExactDecimal: Hashable {
    public static func == (a: ExactDecimal, b: ExactDecimal) -> Bool { compare(a, b) == 0 }
    public func hash(into hasher: inout Hasher) {
        let n = normalized
        hasher.combine(n.significand)
        hasher.combine(n.scale)
    }
}
