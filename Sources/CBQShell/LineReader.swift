/// What the shell reads typed lines from: libedit on a terminal, a script of lines in tests.
public protocol LineReader: AnyObject {
    /// The next line, without its newline; `.interrupted` for Ctrl-C, `.endOfInput` for Ctrl-D.
    func readLine(prompt: String) async -> LineInput
    /// Keeps an entry (a whole statement, even over several lines) in the history.
    func remember(_ entry: String)
    /// The history, oldest first, for `\history`.
    var entries: [String] { get }
    /// Saves the history before the shell ends.
    func save()
}

public enum LineInput: Sendable, Equatable {
    case line(String)
    case interrupted
    case endOfInput
}

/// Lines given in advance, as a person would type them; for tests, and anything scripted.
public final class ScriptedLines: LineReader {
    private var lines: [LineInput]
    public private(set) var prompts: [String] = []
    public private(set) var entries: [String] = []

    public init(_ lines: [LineInput]) { self.lines = lines }

    public convenience init(typing lines: [String]) { self.init(lines.map { .line($0) }) }

    public func readLine(prompt: String) async -> LineInput {
        prompts.append(prompt)
        return lines.isEmpty ? .endOfInput : lines.removeFirst()
    }

    public func remember(_ entry: String) { entries.append(entry) }

    public func save() {}
}
