#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Where rendered bytes end up: a file descriptor, or memory (tests, and anything that wants
/// the text). ``OutputStream`` buffers in front of one.
public protocol ByteSink: AnyObject, Sendable {
    /// Writes all of `bytes`; false when the sink is closed (a closed pipe), so later writes
    /// can be dropped and the caller can stop early.
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool
}

extension ByteSink {
    /// Writes `text` as UTF-8, unbuffered.
    @discardableResult
    public func write(_ text: String) -> Bool {
        Array(text.utf8).withUnsafeBytes { write($0) }
    }
}

/// A file descriptor: standard output, or a file `\o` opened. Short writes and EINTR are retried.
public final class FileDescriptorSink: ByteSink {
    public let descriptor: Int32

    public init(_ descriptor: Int32) { self.descriptor = descriptor }

    public static let standardOutput = FileDescriptorSink(1)
    public static let standardError = FileDescriptorSink(2)

    /// The `errno` of the write that failed: EPIPE for a reader that went away (`| head`), or
    /// a real failure (ENOSPC, EIO) that must not pass for one.
    public private(set) nonisolated(unsafe) var failure: Int32?

    public func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                failure = errno
                return false
            }
            offset += written
        }
        return true
    }
}

/// Collects everything written, for tests and in-process callers.
public final class MemorySink: ByteSink {
    private let bytes = Mutex<[UInt8]>([])
    private let keeping: Bool

    /// - Parameter keeping: false drops what is written (EXPLAIN ANALYZE renders to nowhere).
    public init(keeping: Bool = true) { self.keeping = keeping }

    public func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if keeping { self.bytes.withLock { $0.append(contentsOf: bytes) } }
        return true
    }

    /// Everything written so far, as UTF-8 text.
    public var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }

    /// Everything written so far.
    public var data: [UInt8] { bytes.withLock { $0 } }

    public func clear() { bytes.withLock { $0.removeAll() } }
}

@inline(__always) private func systemWrite(_ descriptor: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, pointer, count)
}
