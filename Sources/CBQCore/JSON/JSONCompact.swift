/// JSON text without the white space between its tokens, every digit and escape as sent: a
/// nested value a server spread over lines stays on one (NDJSON is one object a line), and its
/// numbers keep digits a decoded `Double` would lose.
public enum JSONCompact {
    /// `bytes` is valid JSON (a page's value, already checked): white space outside strings
    /// is between tokens, and inside a string every byte is kept.
    public static func bytes<Bytes: Collection>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var compact: [UInt8] = []
        compact.reserveCapacity(bytes.count)
        var inString = false, escaped = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                compact.append(byte)
                continue
            }
            switch byte {
            case 0x20, 0x0A, 0x0D, 0x09: continue
            case UInt8(ascii: "\""): inString = true
            default: break
            }
            compact.append(byte)
        }
        return compact
    }

    public static func text<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        String(decoding: Self.bytes(bytes), as: UTF8.self)
    }

    /// Whether a value is an array or an object, by its first byte.
    @inline(__always)
    public static func isNested(_ first: UInt8) -> Bool { first == UInt8(ascii: "[") || first == UInt8(ascii: "{") }
}
