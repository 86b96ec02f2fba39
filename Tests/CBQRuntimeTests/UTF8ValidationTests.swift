import CBQCore
import CBQSandbox
import Testing
@testable import CBQRuntime

/// The page validator agrees with the standard library's on every input, and never reads past
/// the bytes it is given.
struct UTF8ValidationTests {
    /// The validator's answer as the standard library would give it: the offset of the first
    /// byte of the first sequence that is not UTF-8.
    static func reference(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index < bytes.count {
            let length = (1...4).first { String(validating: bytes[index..<min(bytes.count, index + $0)], as: UTF8.self) != nil }
            guard let length else { return index }
            index += length
        }
        return nil
    }

    /// ASCII that ends exactly where a 32-byte step ends, followed in memory by bytes that are
    /// not UTF-8: the answer is about the 32 bytes alone. (A first version stepped over all 32
    /// and then read the byte after them, failing pages whose length was a multiple of 32.)
    @Test(arguments: [8, 32, 40, 64, 96])
    func theBytesAfterTheBufferAreNotRead(length: Int) {
        let memory = [UInt8](repeating: UInt8(ascii: "a"), count: length) + [UInt8](repeating: 0xFF, count: 64)
        memory.withUnsafeBufferPointer { all in
            #expect(UTF8Validation.firstInvalidByte(in: UnsafeBufferPointer(rebasing: all[..<length])) == nil)
            #expect(UTF8Validation.firstInvalidByte(in: UnsafeBufferPointer(rebasing: all[..<(length + 1)])) == length)
        }
    }

    @Test func agreesWithTheStandardLibrary() {
        var random = SeededGenerator(seed: 32)
        let pieces: [[UInt8]] = [Array("abcdefgh".utf8), Array("é".utf8), Array("李".utf8), Array("👍".utf8), [0xC0, 0x80], [0xED, 0xA0, 0x80],
                                 [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80], [0xFF], Array(String(repeating: "x", count: 31).utf8)]
        for _ in 0..<3_000 {
            var bytes: [UInt8] = []
            for _ in 0..<random.int(0...12) { bytes += random.pick(pieces) }
            #expect(UTF8Validation.firstInvalidByte(bytes) == Self.reference(bytes), "\(bytes)")
        }
        #expect(UTF8Validation.firstInvalidByte([]) == nil)
    }
}
