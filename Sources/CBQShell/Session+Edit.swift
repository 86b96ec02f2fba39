#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CBQCore
import CBQRuntime

/// `\e`: the statement being typed (else the last one) in `$VISUAL` or `$EDITOR` (else `vi`),
/// then run as saved, as psql does with a statement that ends in `;`. Left unchanged, it does
/// not run: quitting the editor must not repeat the last INSERT (psql clears the buffer).
extension Session {
    func editAndRun(_ statement: String?) async {
        let text = statement ?? lastStatement ?? ""
        guard let edited = edit(text) else { return }
        let trimmed = edited.trimming([" ", "\t", "\n", "\r"])
        guard Parser.inputStatus(SourceText(trimmed)) != .empty else {
            say("Nothing to run.")
            return
        }
        guard trimmed != text.trimming([" ", "\t", "\n", "\r"]) else {
            // Kept in history, so that the statement being typed is not lost.
            if statement != nil { remember(trimmed, firstLine: text) }
            say("The editor left it unchanged; nothing was run.")
            return
        }
        // The screen shows what runs, as if typed; history keeps it.
        say(trimmed)
        // Typed with a space first (kept out of history), what came of it stays out too.
        remember(trimmed, firstLine: text)
        lastStatement = trimmed
        await runCancellably(SourceText(trimmed, name: "<input>"))
    }

    /// Writes `text` to an owner-only temporary file, runs the editor on it on the terminal and
    /// reads it back; nil (after saying why) when the editor could not run or failed.
    func edit(_ text: String) -> String? {
        let folder = environment("TMPDIR").flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((folder + "/cbq-XXXXXX.sql").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 4) }
        guard descriptor >= 0 else {
            console.error("cannot make a file to edit in \(folder): \(String(cString: strerror(errno)))")
            return nil
        }
        let path = String(cString: template)
        defer { unlink(path) }
        let body = text.isEmpty || text.hasSuffix("\n") ? text : text + "\n"
        let written = FileDescriptorSink(descriptor).write(body)
        closeDescriptor(descriptor)
        guard written else {
            console.error("cannot write \(path)")
            return nil
        }
        let editor = [environment("VISUAL"), environment("EDITOR")].compactMap { $0 }.first { !$0.trimming(.whitespace).isEmpty } ?? "vi"
        output.flush()
        // The editor's words may carry options (`code --wait`); the file is its last argument.
        guard let pid = ShellCommand.spawn(editor + " \"$1\"", arguments: [path]) else {
            console.error("cannot start the editor '\(editor)'", hint: "set $EDITOR")
            return nil
        }
        let status = ShellCommand.wait(pid)
        resetInterrupt()
        guard status == 0 else {
            console.error("the editor '\(editor)' " + (status.map { "exited with \($0)" } ?? "was stopped by a signal") + "; nothing runs")
            return nil
        }
        guard let edited = try? SourceFiles.read(path) else {
            console.error("cannot read \(path) back")
            return nil
        }
        return edited
    }
}
