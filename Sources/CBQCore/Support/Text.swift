/// Small text helpers without Foundation, shared by the command line, the runtime and the sandbox.
extension StringProtocol {
    /// The text without leading and trailing characters from `set`.
    public func trimming(_ set: Set<Character>) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }

    /// Whether the text is a plain cbq name (letters, digits and `_`, not starting with a digit):
    /// what a `:parameter` may be called.
    public var isPlainIdentifier: Bool {
        guard let first = utf8.first, isIdentifierStart(first) else { return false }
        return utf8.allSatisfy(isIdentifierPart)
    }
}

extension Set where Element == Character {
    /// Spaces, tabs and line breaks.
    public static let whitespace: Set<Character> = [" ", "\t", "\n", "\r", "\r\n"]
}

/// A count with its noun, singular for one: `counted(1, "row")` is "1 row", `counted(3, "row")`
/// is "3 rows", `counted(2, "retry", plural: "retries")` is "2 retries".
public func counted(_ count: Int, _ noun: String, plural: String? = nil) -> String {
    "\(count) \(count == 1 ? noun : plural ?? noun + "s")"
}
