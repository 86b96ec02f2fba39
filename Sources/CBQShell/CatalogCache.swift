#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CBQCore

/// The catalog kept between sessions, one file per target under `$XDG_CACHE_HOME/cbq/catalog/`
/// (else `~/.cache/cbq/catalog/`), owner-only: a new session completes and describes columns
/// before its first query. It holds column names, kinds and resource types, never a value.
public enum CatalogCache {
    /// The file for a target's base URL, or nil without a cache folder.
    public static func path(for baseURL: String, environment: (String) -> String?) -> String? {
        let folder: String
        if let cache = environment("XDG_CACHE_HOME"), !cache.isEmpty {
            folder = cache
        } else if let home = environment("HOME"), !home.isEmpty {
            folder = home + "/.cache"
        } else {
            return nil
        }
        let name = String(baseURL.replacing("https://", with: "").replacing("http://", with: "").map { character in
            character.isLetter || character.isNumber || character == "." || character == "-" ? character : "_"
        })
        return folder + "/cbq/catalog/" + name + ".json"
    }

    /// Loads `path` into `catalog`; a missing or unreadable file is an empty cache.
    public static func load(_ path: String, into catalog: Catalog) {
        guard let text = try? SourceFiles.read(path), let value = try? JSONParser.parse(text) else { return }
        catalog.restore(value)
    }

    /// Writes `catalog` to `path` (owner-only), creating its folders, unless the file already
    /// holds exactly that (a run that read no page learned nothing: a statement that failed to
    /// compile, a `\d` of what is known). Failures are ignored, as a cache's are.
    ///
    /// - Returns: whether the file was written.
    @discardableResult
    public static func save(_ catalog: Catalog, to path: String) -> Bool {
        let bytes = Array(JSONWriter.serialize(catalog.snapshot()).utf8)
        if let existing = try? SourceFiles.read(path), existing.utf8.elementsEqual(bytes) { return false }
        var folder = ""
        for part in path.split(separator: "/").dropLast() {
            folder += "/" + part
            mkdir(folder, 0o700)
        }
        // A name of this process's own: two sessions saving at once each rename a whole file
        // (the last wins), where one shared name could interleave their writes.
        let temporary = path + ".tmp.\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { return false }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == bytes.count else {
            unlink(temporary)
            return false
        }
        return rename(temporary, path) == 0
    }
}
