import CBQCore

/// Reads a response body as a JSON:API document; anything else is ``ExecutionError/malformed``.
enum PageDecoder {
    static func decode(_ body: [UInt8], url: RequestURL) throws(ExecutionError) -> IndexedDocument {
        do {
            return try PageIndexer.index(body)
        } catch {
            throw ExecutionError.malformed(error.description, url: url.description)
        }
    }
}
