/// Cuts a script into statements at each `;` that is not inside a string, a quoted name or a
/// comment, without lexing them. Each statement is then parsed on its own, so an error in one
/// does not hide the others (a script can go on with `--continue-on-error`), and positions stay
/// those of the whole script.
public enum StatementSplitter {
    public struct Piece: Hashable, Sendable {
        /// The statement's bytes, without its `;`.
        public var range: SourceRange
        /// Whether a `;` ended it (the last statement of a script may go without).
        public var terminated: Bool
    }

    /// The pieces of `source` that hold more than white space and comments.
    public static func split(_ source: SourceText) -> [Piece] {
        let bytes = source.utf8
        var pieces: [Piece] = []
        var start = 0
        var hasContent = false
        var index = 0

        func skipQuoted(_ quote: UInt8) {
            index += 1
            while index < bytes.count {
                if bytes[index] == quote {
                    if index + 1 < bytes.count, bytes[index + 1] == quote { index += 2; continue }
                    index += 1
                    return
                }
                index += 1
            }
        }

        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                hasContent = true
                skipQuoted(byte)
            case UInt8(ascii: "-") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "-"):
                while index < bytes.count, bytes[index] != 0x0A { index += 1 }
            case UInt8(ascii: "/") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "*"):
                index += 2
                while index < bytes.count,
                    !(bytes[index] == UInt8(ascii: "*") && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "/"))
                {
                    index += 1
                }
                index = min(bytes.count, index + 2)
            case UInt8(ascii: ";"):
                if hasContent { pieces.append(Piece(range: SourceRange(start, index), terminated: true)) }
                index += 1
                start = index
                hasContent = false
            case 0x20, 0x09, 0x0A, 0x0D, 0x0C:
                index += 1
            default:
                hasContent = true
                index += 1
            }
        }
        if hasContent { pieces.append(Piece(range: SourceRange(start, bytes.count), terminated: false)) }
        return pieces
    }
}
