/// Turns source text into tokens, skipping white space and comments (`-- …` to end of line,
/// `/* … */`).
///
///     var lexer = Lexer(SourceText("SELECT * FROM people.people;"))
///     let tokens = try lexer.tokenize()   // SELECT, *, FROM, people, ., people, ;, end
///
/// Works on UTF-8 bytes. Anything that is not ASCII is allowed only inside strings, quoted
/// identifiers and comments. An open string, quoted identifier or comment at the end of input is
/// an `.incomplete` diagnostic, so a REPL can ask for more.
public struct Lexer {
    private let source: SourceText
    private var bytes: [UInt8] { source.utf8 }
    private var position: Int
    private let end: Int

    /// A lexer over `range` of `source` (all of it by default); token ranges stay offsets into
    /// the whole source, so positions in a script are right.
    public init(_ source: SourceText, range: SourceRange? = nil) {
        self.source = source
        self.position = range?.start ?? 0
        self.end = min(range?.end ?? source.utf8.count, source.utf8.count)
    }

    public mutating func tokenize() throws(Diagnostic) -> [Token] {
        var tokens: [Token] = []
        while true {
            let token = try next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    /// The next token; `.end` at the end of input, and again on every later call.
    public mutating func next() throws(Diagnostic) -> Token {
        try skipTrivia()
        let start = position
        guard let byte = peek() else { return Token(.end, .at(start), "") }

        switch byte {
        case UInt8(ascii: "'"):
            return try string(from: start)
        case UInt8(ascii: "\""):
            return try quotedIdentifier(from: start)
        case UInt8(ascii: ":"):
            if peek(1) == UInt8(ascii: ":") {
                position += 2
                return Token(.symbol(.cast), SourceRange(start, position), "::")
            }
            return try parameter(from: start)
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try number(from: start)
        case UInt8(ascii: "."):
            if let after = peek(1), isDigit(after) { return try number(from: start) }
            position += 1
            return Token(.symbol(.dot), SourceRange(start, position), ".")
        default:
            break
        }
        if isIdentifierStart(byte) { return word(from: start) }
        if let symbol = symbol() { return Token(.symbol(symbol), SourceRange(start, position), symbol.rawValue) }
        throw unexpected(at: start)
    }

    // MARK: - Trivia

    /// comment = "--" { any character except newline } | "/*" { any character } "*/" ;
    private mutating func skipTrivia() throws(Diagnostic) {
        while let byte = peek() {
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C {
                position += 1
            } else if byte == UInt8(ascii: "-"), peek(1) == UInt8(ascii: "-") {
                while let byte = peek(), byte != 0x0A { position += 1 }
            } else if byte == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "*") {
                let start = position
                position += 2
                while true {
                    guard let byte = peek() else {
                        throw Diagnostic.unterminatedComment(at: SourceRange(start, start + 2))
                    }
                    if byte == UInt8(ascii: "*"), peek(1) == UInt8(ascii: "/") { position += 2; break }
                    position += 1
                }
            } else {
                return
            }
        }
    }

    // MARK: - Tokens

    /// string = "'" { any character except "'" | "''" } "'" ;
    private mutating func string(from start: Int) throws(Diagnostic) -> Token {
        let text = try quoted(from: start, quote: UInt8(ascii: "'"))
        return Token(.string, SourceRange(start, position), text)
    }

    /// quoted_identifier = '"' { any character except '"' | '""' } '"' ;
    private mutating func quotedIdentifier(from start: Int) throws(Diagnostic) -> Token {
        let text = try quoted(from: start, quote: UInt8(ascii: "\""))
        if text.isEmpty {
            throw Diagnostic.emptyQuotedName(at: SourceRange(start, position))
        }
        return Token(.identifier, SourceRange(start, position), text)
    }

    private mutating func quoted(from start: Int, quote: UInt8) throws(Diagnostic) -> String {
        position += 1
        var content: [UInt8] = []
        while true {
            guard let byte = peek() else {
                let opening = SourceRange(start, start + 1)
                throw quote == UInt8(ascii: "'")
                    ? Diagnostic.unterminatedString(at: opening) : Diagnostic.unterminatedQuotedName(at: opening)
            }
            position += 1
            if byte == quote {
                if peek() == quote { content.append(quote); position += 1; continue }
                return String(decoding: content, as: UTF8.self)
            }
            content.append(byte)
        }
    }

    /// parameter = ":" plain_identifier ;
    private mutating func parameter(from start: Int) throws(Diagnostic) -> Token {
        position += 1
        guard let byte = peek(), isIdentifierStart(byte) else {
            throw Diagnostic.expectedParameterName(at: SourceRange(start, start + 1))
        }
        while let byte = peek(), isIdentifierPart(byte) { position += 1 }
        return Token(.parameter, SourceRange(start, position), source.slice(SourceRange(start + 1, position)))
    }

    /// number = ( digit { digit } [ "." digit { digit } ] | "." digit { digit } )
    ///          [ ( "e" | "E" ) [ "+" | "-" ] digit { digit } ] ;
    ///
    /// A minus sign is an operator: the parser folds `-5` into the literal -5.
    private mutating func number(from start: Int) throws(Diagnostic) -> Token {
        while let byte = peek(), isDigit(byte) { position += 1 }
        if peek() == UInt8(ascii: "."), let after = peek(1), isDigit(after) {
            position += 1
            while let byte = peek(), isDigit(byte) { position += 1 }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            var look = 1
            if let sign = peek(1), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { look = 2 }
            if let digit = peek(look), isDigit(digit) {
                position += look
                while let byte = peek(), isDigit(byte) { position += 1 }
            }
        }
        if let byte = peek(), isIdentifierPart(byte) {
            // `1st`, `2x`: a name cannot start with a digit, and a number cannot run into one.
            var end = position
            while end < self.end, isIdentifierPart(bytes[end]) { end += 1 }
            throw Diagnostic.nameStartsWithDigit(source.excerpt(SourceRange(start, end)), at: SourceRange(start, end))
        }
        return Token(.number, SourceRange(start, position), source.slice(SourceRange(start, position)))
    }

    /// plain_identifier = ( letter | "_" ) { letter | digit | "_" } ;
    private mutating func word(from start: Int) -> Token {
        while let byte = peek(), isIdentifierPart(byte) { position += 1 }
        let range = SourceRange(start, position)
        let text = source.slice(range)
        if let keyword = Keyword(word: text) { return Token(.keyword(keyword), range, text) }
        return Token(.identifier, range, text)
    }

    private mutating func symbol() -> Symbol? {
        guard let byte = peek() else { return nil }
        let next = peek(1)
        let two: Symbol?
        switch (byte, next) {
        case (UInt8(ascii: "!"), UInt8(ascii: "=")): two = .notEqual
        case (UInt8(ascii: "<"), UInt8(ascii: ">")): two = .notEqualSQL
        case (UInt8(ascii: "<"), UInt8(ascii: "=")): two = .lessOrEqual
        case (UInt8(ascii: ">"), UInt8(ascii: "=")): two = .greaterOrEqual
        case (UInt8(ascii: "|"), UInt8(ascii: "|")): two = .concatenate
        default: two = nil
        }
        if let two { position += 2; return two }
        let one: Symbol?
        switch byte {
        case UInt8(ascii: ","): one = .comma
        case UInt8(ascii: ";"): one = .semicolon
        case UInt8(ascii: "("): one = .leftParen
        case UInt8(ascii: ")"): one = .rightParen
        case UInt8(ascii: "*"): one = .star
        case UInt8(ascii: "="): one = .equal
        case UInt8(ascii: "<"): one = .less
        case UInt8(ascii: ">"): one = .greater
        case UInt8(ascii: "+"): one = .plus
        case UInt8(ascii: "-"): one = .minus
        case UInt8(ascii: "/"): one = .slash
        case UInt8(ascii: "%"): one = .percent
        default: one = nil
        }
        if one != nil { position += 1 }
        return one
    }

    // MARK: - Errors

    private func unexpected(at start: Int) -> Diagnostic {
        // Report the whole character, not one byte of it.
        var end = start + 1
        while end < self.end, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return Diagnostic.unexpectedCharacter(source.slice(SourceRange(start, end)), at: SourceRange(start, end))
    }

    // MARK: - Bytes

    private func peek(_ ahead: Int = 0) -> UInt8? {
        let index = position + ahead
        return index < end ? bytes[index] : nil
    }
}

/// digit = "0" … "9" ;
@inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

/// letter = "A" … "Z" | "a" … "z" ;
@inline(__always) func isIdentifierStart(_ byte: UInt8) -> Bool {
    (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte == 0x5F
}

@inline(__always) func isIdentifierPart(_ byte: UInt8) -> Bool { isIdentifierStart(byte) || isDigit(byte) }
