#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CBQCore

/// Reads statements from files and standard input.
public enum SourceFiles {
    /// The file's text, with a `#!` first line blanked; 66 (no input) when it cannot be read.
    public static func read(_ path: String) throws(ShellFailure) -> String {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw ShellFailure(SysExit.noInput, "cannot read '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        return readAll(descriptor)
    }

    public static func readStandardInput() -> String { readAll(0) }

    /// Everything up to end of file, as text; a `#!/usr/bin/env cbq` first line is blanked so
    /// line numbers stay right.
    public static func readAll(_ descriptor: Int32) -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = systemRead(descriptor, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return withoutShebang(String(decoding: bytes, as: UTF8.self))
    }

    static func withoutShebang(_ text: String) -> String {
        guard text.hasPrefix("#!"), let newline = text.firstIndex(of: "\n") else { return text }
        return String(repeating: " ", count: text.utf8.distance(from: text.startIndex, to: newline)) + text[newline...]
    }
}

@inline(__always) private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
