/// Durations and decimals as cbq prints them, in one place.
extension Duration {
    /// The duration in seconds, as a Double (for rates and display).
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// Whole nanoseconds (for APIs that take them, such as NIO's TimeAmount).
    public var inNanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}

/// `value` with exactly `places` decimals, rounded half away from zero: `fixed(0.125, 2)` is
/// "0.13". Without Foundation's String(format:).
public func fixed(_ value: Double, _ places: Int) -> String {
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let scaled = Int64((abs(value) * scale).rounded())
    let whole = scaled / Int64(scale), fraction = scaled % Int64(scale)
    let digits = String(fraction)
    let sign = value < 0 && scaled != 0 ? "-" : ""
    return places == 0 ? "\(sign)\(whole)" : "\(sign)\(whole)." + String(repeating: "0", count: places - digits.count) + digits
}
