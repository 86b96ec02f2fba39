/// Text for a terminal, with its control characters made visible: data from a server (or a
/// statement) must not reach the screen as the escape sequences it may hold (`ESC[2J` clears
/// it, `ESC]0;…BEL` retitles the window). C0 controls show as their Unicode pictures (`␛`),
/// DEL as `␡`, and C1 controls (U+0080 to U+009F, which terminals also obey) as `\u{9b}`.
/// Line breaks and tabs are left to the caller, which shows them its own way.
public enum VisibleText {
    public static func of(_ text: String, keepingBreaks: Bool = true) -> String {
        var needed = false
        var copy = text
        copy.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte < 0x20 {
                    if !keepingBreaks || (byte != 0x0A && byte != 0x0D && byte != 0x09) { needed = true; return }
                } else if byte == 0x7F || (byte == 0xC2 && index + 1 < bytes.count && bytes[index + 1] >= 0x80 && bytes[index + 1] <= 0x9F) {
                    needed = true
                    return
                }
                index += 1
            }
        }
        guard needed else { return text }
        var shown = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A, 0x0D, 0x09 where keepingBreaks: shown.append(scalar)
            case 0x00..<0x20: shown.append(Unicode.Scalar(0x2400 + scalar.value)!)
            case 0x7F: shown.append("\u{2421}")
            case 0x80...0x9F: shown.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
            default: shown.append(scalar)
            }
        }
        return String(shown)
    }
}
