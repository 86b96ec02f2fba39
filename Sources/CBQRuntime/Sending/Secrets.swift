import Synchronization

/// The process's credentials as text to keep out of sight: tokens and client secrets are
/// registered where they are read, and every line the shell prints passes through ``redact(_:)``,
/// so a server that echoes the Authorization header or the token form back in an error (a debug
/// page, a gateway's dump) does not put them on the screen or in a CI log.
///
/// A credential is also checked where it is read (``problem(in:)``): a token file or a `pass`
/// entry with a second line would otherwise go into a header that HTTP refuses, and the
/// refusal's message quotes the header.
public enum Secrets {
    private static let known = Mutex<[String]>([])

    /// Remembers `secret` for ``redact(_:)``. Short values are not: they would mask ordinary
    /// words and numbers (a test's token `second` masked "seconds"), where real tokens and
    /// secrets are long and random.
    public static func register(_ secret: String) {
        guard secret.utf8.count >= 12 else { return }
        known.withLock { if !$0.contains(secret) { $0.append(secret) } }
    }

    /// `text` with every registered secret replaced by `••••`.
    public static func redact(_ text: String) -> String {
        let secrets = known.withLock { $0 }
        guard !secrets.isEmpty else { return text }
        var text = text
        for secret in secrets where text.contains(secret) { text = text.replacing(secret, with: "••••") }
        return text
    }

    /// Why `value` cannot be a credential, or nil: one line of ASCII without spaces or control
    /// characters (a bearer token's characters, RFC 6750's b64token and more). Never quotes it.
    public static func problem(in value: String) -> String? {
        for byte in value.utf8 {
            switch byte {
            case 0x0A, 0x0D: return "a line break inside it"
            case 0..<0x20, 0x7F: return "a control character inside it"
            case 0x20: return "a space inside it"
            case 0x80...: return "a character beyond ASCII inside it"
            default: continue
            }
        }
        return nil
    }
}
