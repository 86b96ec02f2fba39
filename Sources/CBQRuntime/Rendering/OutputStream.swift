#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A buffered writer to a file descriptor. Rows stream through it: it flushes every 64 KiB, so
/// memory stays flat however many rows pass. A closed pipe (`cbq … | head`) ends writing quietly.
public final class OutputStream {
    public let descriptor: Int32
    private var buffer: [UInt8] = []
    /// Set once a write failed (EPIPE): later writes are dropped, and the caller can stop early.
    public private(set) var isClosed = false
    private let flushThreshold = 64 << 10

    public init(descriptor: Int32) {
        self.descriptor = descriptor
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
        guard !isClosed else { return }
        var offset = 0
        while offset < buffer.count {
            let written = buffer[offset...].withUnsafeBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                isClosed = true
                return
            }
            offset += written
        }
    }

    /// Direct access for renderers that build bytes in place.
    @inline(__always) public func withBuffer<T>(_ body: (inout [UInt8]) -> T) -> T { body(&buffer) }
}

@inline(__always) private func systemWrite(_ descriptor: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, pointer, count)
}
