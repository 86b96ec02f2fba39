/// Messages that more than one stage can raise, in one place so they read the same everywhere.
extension Diagnostic {
    static func unexpectedCharacter(_ character: String, at range: SourceRange, hint: String?) -> Diagnostic {
        Diagnostic(.syntax, "unexpected character '\(character)'", at: range, hint: hint)
    }

    static func unboundParameter(_ name: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "no value for parameter ':\(name)'", at: range, label: "not bound",
                   hint: "bind it with --var \(name)=VALUE (or \\set \(name) VALUE in the REPL)")
    }

    static func expectedSelect(at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "expected a SELECT statement", at: range, hint: "this call plans the requests of one SELECT")
    }

    /// The API answered 400 naming a parameter that `range`'s condition was sent as.
    public static func rejectedParameter(_ name: String, sentAs parameters: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, "the API rejected \(name), sent for this condition", at: range, label: "sent as \(parameters)",
                   hint: "check the column name and operator; `cbq explain` shows every parameter")
    }
}
