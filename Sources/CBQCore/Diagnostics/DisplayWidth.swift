/// How many terminal cells text takes: East Asian wide and fullwidth characters take two,
/// combining marks and zero-width characters none, everything else one.
///
/// A compact version of `wcwidth`: enough to line up a caret and a table column under CJK names
/// and accented letters, without a dependency.
public enum DisplayWidth {
    public static func of(_ character: Character) -> Int {
        var width = 0
        for (index, scalar) in character.unicodeScalars.enumerated() {
            // A grapheme's extra scalars (combining marks, variation selectors, ZWJ sequences)
            // ride on its first one; VS16 asks for an emoji's presentation, two cells wide
            // (`❤️`), as does a flag (two regional indicators).
            if index == 0 { width = of(scalar) } else if isWide(scalar.value) || scalar.value == 0xFE0F { width = 2 }
        }
        return width
    }

    /// Concrete for `String`, the hot case (a generic call across modules is not specialized).
    public static func of(_ text: String) -> Int {
        var copy = text
        let ascii = copy.withUTF8 { isPrintableASCII($0) }
        return ascii ? text.utf8.count : characterWidths(text)
    }

    public static func of(_ text: some StringProtocol) -> Int {
        isPrintableASCII(text.utf8) ? text.utf8.count : characterWidths(text)
    }

    /// Printable ASCII, the common case, takes one cell a byte.
    private static func isPrintableASCII(_ bytes: some Sequence<UInt8>) -> Bool {
        bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    private static func characterWidths(_ text: some StringProtocol) -> Int {
        var width = 0
        for character in text { width += of(character) }
        return width
    }

    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value == 0 { return 0 }
        if value < 0x20 || (value >= 0x7F && value < 0xA0) { return 0 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if value == 0x200B { return 0 }
        return isWide(value) ? 2 : 1
    }

    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF,
            0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF,
            0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
            0x1F900...0x1F9FF, 0x1F680...0x1F6FF, 0x1F1E6...0x1F1FF, 0x1FA70...0x1FAFF, 0x1F004, 0x1F0CF, 0x1F18E, 0x1F191...0x1F19A,
            // Emoji that are wide by themselves (East Asian Width W), as wcwidth counts them.
            0x231A...0x231B, 0x23E9...0x23EC, 0x23F0, 0x23F3, 0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693,
            0x26A1, 0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA, 0x26F2...0x26F3, 0x26F5, 0x26FA,
            0x26FD, 0x2705, 0x270A...0x270B, 0x2728, 0x274C, 0x274E, 0x2753...0x2755, 0x2757, 0x2795...0x2797, 0x27B0, 0x27BF,
            0x2B1B...0x2B1C, 0x2B50, 0x2B55, 0x1F200...0x1F2FF, 0x1F7E0...0x1F7EB,
            0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
