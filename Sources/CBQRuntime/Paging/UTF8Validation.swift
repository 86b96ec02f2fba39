import CBQCore

/// UTF-8's rule for one sequence. The page scanner checks each string's non-ASCII bytes with it
/// as it reads them: outside strings JSON's grammar allows only ASCII, so the strings are all a
/// page's bytes that can be UTF-8 beyond ASCII, and no second pass over the page is needed.
enum UTF8Validation {
    /// The length of the well-formed sequence that starts with the non-ASCII byte at `index`
    /// (2 to 4), or nil where none does: a stray continuation byte, an overlong form, a
    /// surrogate, a scalar past U+10FFFF, or a sequence the buffer cuts short.
    @inline(__always)
    static func sequenceLength(at index: Int, in buffer: UnsafeBufferPointer<UInt8>) -> Int? {
        let lead = buffer[index]
        let length: Int
        let minimum: UInt32
        var scalar: UInt32
        switch lead {
        case 0xC2...0xDF: length = 2; scalar = UInt32(lead & 0x1F); minimum = 0x80
        case 0xE0...0xEF: length = 3; scalar = UInt32(lead & 0x0F); minimum = 0x800
        case 0xF0...0xF4: length = 4; scalar = UInt32(lead & 0x07); minimum = 0x10000
        default: return nil
        }
        guard index + length <= buffer.count else { return nil }
        for offset in 1..<length {
            let continuation = buffer[index + offset]
            guard continuation & 0xC0 == 0x80 else { return nil }
            scalar = scalar << 6 | UInt32(continuation & 0x3F)
        }
        if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return nil }
        return length
    }
}
