#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
/// A buffered writer in front of a ``ByteSink``. Rows stream through it: it flushes every
/// 64 KiB, so memory stays flat however many rows pass. A closed pipe (`cbq … | head`) ends
/// writing quietly.
public final class OutputStream {
    public let sink: any ByteSink
    private var buffer: [UInt8] = []
    /// Set once a write failed (EPIPE): later writes are dropped, and the caller can stop early.
    public private(set) var isClosed = false
    /// Why the sink failed, when it was not a reader going away (`| head`): the disk was full,
    /// an I/O error. The results did not arrive, which must be an error, not a quiet end.
    public var writeError: String? {
        guard isClosed, let failure = (sink as? FileDescriptorSink)?.failure, failure != EPIPE else { return nil }
        return String(cString: strerror(failure))
    }
    private let flushThreshold = 64 << 10

    public init(_ sink: any ByteSink) {
        self.sink = sink
        buffer.reserveCapacity(flushThreshold + 4096)
    }

    public func write(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= flushThreshold { flush() }
    }

    public func write(_ text: String) { write(text.utf8) }

    public func write(byte: UInt8) {
        buffer.append(byte)
    }

    public func flushIfNeeded() { if buffer.count >= flushThreshold { flush() } }

    public func flush() {
        defer { buffer.removeAll(keepingCapacity: true) }
        guard !isClosed, !buffer.isEmpty else { return }
        if !buffer.withUnsafeBytes({ sink.write($0) }) { isClosed = true }
    }

    /// Direct access for renderers that build bytes in place.
    @inline(__always) public func withBuffer<T>(_ body: (inout [UInt8]) -> T) -> T { body(&buffer) }
}
