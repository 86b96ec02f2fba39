#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CBQCore
import CBQRuntime

/// psql's `\g` and `\watch`: run the statement being typed (or, with none, the last one sent),
/// into a file for once, or again and again.
extension Session {
    /// `\g [FILE]`: runs `statement`, its results into FILE (created owner-only) if given.
    func go(_ statement: String?, file: String) async {
        guard let statement = statement ?? lastStatement else {
            console.error("\\g runs the statement being typed, or the last one: there is none yet")
            return
        }
        lastStatement = statement
        guard !file.isEmpty else {
            await runCancellably(SourceText(statement, name: "<input>"))
            return
        }
        output.flush()
        let descriptor = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else {
            console.error("cannot write '\(file)': \(String(cString: strerror(errno)))")
            return
        }
        let screen = output
        output = OutputStream(FileDescriptorSink(descriptor))
        await runCancellably(SourceText(statement, name: "<input>"))
        output.flush()
        close(descriptor)
        output = screen
    }

    /// `\watch [SECONDS]`: runs `statement` (else the last one) every SECONDS (2 by default),
    /// each time under a line with the time, until Ctrl-C or an error.
    func watch(_ statement: String?, argument: String) async {
        guard let statement = statement ?? lastStatement else {
            console.error("\\watch repeats the statement being typed, or the last one: there is none yet")
            return
        }
        guard let seconds = argument.isEmpty ? 2 : Double(argument), seconds > 0, seconds.isFinite, seconds <= 86_400 else {
            console.error("\\watch takes a number of seconds, not '\(argument)'", hint: "\\watch 5")
            return
        }
        // A write again and again would be a new record every round (the confirmation asks only
        // before bulk writes and DELETEs): refused before it runs once.
        let writes = Parser.parseScript(SourceText(statement)).contains { parsed in
            if case .success(let statement) = parsed.result { return statement.writes }
            return false
        }
        if writes {
            console.error("\\watch repeats reads only: this statement writes, and would write again every round",
                          hint: "run the write once, then \\watch a SELECT to follow what it changed")
            return
        }
        lastStatement = statement
        watching = true
        defer { watching = false }
        while true {
            say("\(Self.wallClockText()) (every \(seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)) s)\n")
            let status = await runCancellably(SourceText(statement, name: "<input>"))
            if status != 0 { return }  // an error, or Ctrl-C during the statement
            // Wait, watching for Ctrl-C.
            let until = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
            while ContinuousClock.now < until {
                if interruptRequested() {
                    resetInterrupt()
                    say("")
                    return
                }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// The local time, as psql's `\watch` heads each run: `Mon Dec  7 08:50:00 2026`.
    static func wallClockText() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%a %b %e %H:%M:%S %Y", &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
