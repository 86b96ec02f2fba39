#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@preconcurrency import CLibEdit
import CBQCore
import CBQShell

/// The bridge from libedit's C callbacks to the ``Completer``.
enum Completion {
    nonisolated(unsafe) static var completer: Completer?
    nonisolated(unsafe) private static var candidates: [String] = []
    nonisolated(unsafe) private static var next = 0

    static func complete(_ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        guard let completer, let text else { return nil }
        let word = String(cString: text)
        let lineBytes = rl_line_buffer.map { Array(UnsafeBufferPointer(start: UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self), count: Int(strlen($0)))) } ?? []
        let before = String(decoding: lineBytes.prefix(max(0, Int(start))), as: UTF8.self)
        switch completer.candidates(word: word, before: before, line: String(decoding: lineBytes, as: UTF8.self)) {
        case .files:
            return nil  // libedit's own file-name completion
        case .words(let list):
            rl_attempted_completion_over = 1
            candidates = list
            next = 0
            guard !list.isEmpty else { return nil }
            return rl_completion_matches(text) { _, state in
                if state == 0 { Completion.next = 0 }
                guard Completion.next < Completion.candidates.count else { return nil }
                defer { Completion.next += 1 }
                return strdup(Completion.candidates[Completion.next])
            }
        }
    }
}
