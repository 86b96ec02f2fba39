import CBQRuntime

/// Exit statuses from sysexits.h, as the SQLite shell and Crafting Interpreters use them.
public enum SysExit {
    public static let usage: Int32 = 64
    public static let dataError: Int32 = 65
    public static let noInput: Int32 = 66
    public static let unavailable: Int32 = 69
    public static let software: Int32 = 70
    /// The results could not be written (a full disk, an I/O error): EX_IOERR.
    public static let ioError: Int32 = 74
    public static let partial: Int32 = 75
    /// The reader of standard output went away with statements left to run (`| head`), as a
    /// shell reports a process that SIGPIPE ended.
    public static let brokenPipe: Int32 = 141
    public static let noPermission: Int32 = 77
    /// 128 + SIGINT, as a shell reports a command stopped by Ctrl-C.
    public static let interrupted: Int32 = 130

    /// The status a failed request means: 77 for 401/403, 65 for what the query asked wrongly
    /// (400, 404, 405, 409, 415, 422, a redirect, an answer that is not JSON:API, a foreign link), 69 for
    /// an API that is not there (5xx, connection failures).
    public static func status(for error: ExecutionError) -> Int32 {
        switch error {
        case .api(let status, _, _, _, _):
            switch status {
            case 401, 403: return noPermission
            case 400, 404, 405, 409, 415, 422, 300..<400: return dataError
            default: return unavailable
            }
        case .transport: return unavailable
        case .malformed, .foreignLink: return dataError
        case .localRowLimit: return partial
        }
    }
}

/// A failure the shell has already put into words: a message, maybe a hint, and the exit
/// status it means. Reported by whoever catches it, once.
public struct ShellFailure: Error, Sendable, Equatable {
    public var status: Int32
    public var message: String
    public var hint: String?

    public init(_ status: Int32, _ message: String, hint: String? = nil) {
        self.status = status
        self.message = message
        self.hint = hint
    }
}
