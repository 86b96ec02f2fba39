/// An error in a statement, with the exact range it is about.
///
/// Messages follow one style (see `Diagnostic+Catalogue.swift`): lowercase, no trailing period,
/// source tokens in single quotes, "expected X after Y".
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// The input stops before the statement does (an open string or comment, a missing
        /// operand at the end). A REPL shows a continuation prompt instead of an error.
        case incomplete
        /// The input is malformed.
        case syntax
        /// The input parses but cannot be planned (an unbound parameter, a bad LIMIT).
        case semantic
    }

    public var kind: Kind
    public var message: String
    public var range: SourceRange
    /// Shown under the caret, e.g. "expected a number, string or column name".
    public var label: String?
    /// Shown as `= hint: …`, e.g. "did you mean 'FROM'?".
    public var hint: String?

    public init(
        _ kind: Kind, _ message: String, at range: SourceRange, label: String? = nil, hint: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.range = range
        self.label = label
        self.hint = hint
    }

    public var isIncomplete: Bool { kind == .incomplete }

    public var description: String { "\(range): error: \(message)" }
}
