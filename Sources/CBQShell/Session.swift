import CBQCore
import CBQRuntime

/// One shell session: the target, the settings the backslash commands change, and the one
/// input loop. Typed lines become statements (with a continuation prompt while one is
/// incomplete) or backslash commands; `-c`, script files, standard input and `\i` hand their
/// whole text to ``run(_:)``; all of them go through the same compile, run and report path
/// (``Session+Statements.swift``).
///
///     let session = Session(target: .sandbox(at: url), transport: transport, console: console)
///     let status = await session.run(SourceText("SELECT * FROM people.people LIMIT 3;"))
///
/// Used from one task at a time (the loop); `@unchecked Sendable` lets the command table hold
/// handlers that take it.
public final class Session: @unchecked Sendable {
    public enum Expanded: String, Sendable, CaseIterable { case on, off, auto }

    public internal(set) var target: Target
    /// `:name` values and paging settings; the target's base URL and dialect are laid over them.
    public internal(set) var plannerOptions: PlannerOptions
    /// Guards, concurrency and retries; credentials come from the target for each statement.
    public internal(set) var execution: ExecutionOptions
    public let transport: any HTTPTransport
    public let console: Console
    public let catalog = Catalog()
    public let completer: Completer

    public internal(set) var format: OutputFormat
    public internal(set) var expanded = Expanded.off
    public internal(set) var timing = false
    /// Run a script's remaining statements after one fails (`--continue-on-error`).
    public var continueOnError = false
    /// Progress lines and summaries on standard error: on a terminal only.
    public var showsProgress: Bool
    /// Asked while a statement runs: true once Ctrl-C was pressed, to cancel it.
    public var interruptRequested: @Sendable () -> Bool = { false }
    /// Called before each statement, to forget an earlier Ctrl-C.
    public var resetInterrupt: @Sendable () -> Void = {}
    /// Refuse every INSERT, UPDATE and DELETE before anything is sent (`--read-only`).
    public var readOnly = false
    /// Run a write's reads, print every write request it would send, send none (`--dry-run`,
    /// `\dryrun on`).
    public var dryRun = false
    /// Ask before a write of more than one row and before every DELETE: always in the
    /// interactive shell; in scripts and `-c` only with `--confirm`.
    public var confirmsWrites = false
    /// Asks a yes/no question, true for yes; nil (no terminal to ask on) counts as no.
    public var confirm: ((String) async -> Bool)?
    /// Where `CASEBOOK_TOKEN` is read.
    public var environment: @Sendable (String) -> String? = TokenPolicy.processEnvironment

    /// Results: the screen, or a file `\o` opened.
    var output: OutputStream
    var redirectedDescriptor: Int32?
    var reader: LineReader?
    var quitting = false
    var resultsWritten = 0
    /// `\pager`: results longer than the screen through `$PAGER` (`auto`), always, or never.
    public var pager = PagerMode.auto
    /// Starts the pager command (tests give one that keeps the text).
    public var startPager: (@Sendable (String) -> (any PagerPipe)?)?
    /// Where the catalog of this target is kept between sessions (``CatalogCache``); nil for
    /// none (the sandbox, whose schema is read at start).
    public var catalogPath: String?

    /// Keeps the catalog for `target` between sessions: loads what an earlier one learned, and
    /// saves at the end. Another target's catalog is saved first and forgotten.
    public func useCatalogCache(for target: Target) {
        if let catalogPath { CatalogCache.save(catalog, to: catalogPath) }
        catalog.forgetColumns()
        catalogPath = target.isSandbox ? nil : CatalogCache.path(for: target.baseURL, environment: environment)
        if let catalogPath { CatalogCache.load(catalogPath, into: catalog) }
    }

    /// The pager's screen of the input running, if its results are paged: each statement's
    /// result is paged on its own (``endPagedResult()``).
    var currentPagedScreen: PagedScreen?
    /// Set while `\watch` repeats a statement: no pager.
    var watching = false
    /// The last statement typed, for `\g` and `\watch` with nothing typed.
    var lastStatement: String?
    /// The last read's rows and summary, for `\timing`.
    var lastSummary: (rows: Int, summary: ExecutionSummary)?
    /// ``credentials()`` for the current target, once found.
    var resolvedCredentials: (any CredentialsProvider)?

    /// - Parameter credentials: the target's, when the caller has found them already.
    public init(target: Target, plannerOptions: PlannerOptions = PlannerOptions(), execution: ExecutionOptions = ExecutionOptions(),
                transport: any HTTPTransport, console: Console, format: OutputFormat = .table, credentials: (any CredentialsProvider)? = nil) {
        self.target = target
        self.resolvedCredentials = credentials
        self.plannerOptions = plannerOptions
        self.execution = execution
        self.transport = transport
        self.console = console
        self.format = format
        self.showsProgress = console.errorsAreTerminal
        output = OutputStream(console.screen)
        completer = Completer(catalog: catalog)
    }

    /// The profile in use (`--profile`, `$CBQ_PROFILE`, `\connect`): the prompt shows it.
    public var profile: String?
    /// Makes a profile's target and settings, as the command line would (``connect(_:)``).
    public var connector: (@Sendable (String) throws(ShellFailure) -> Connection)?

    public var prompt: String { "cbq(\(profile ?? target.label))> " }
    public static let continuationPrompt = "      -> "

    /// `\pset null TEXT`: how tables and records show NULL; nil for the default (blank, or a
    /// dim `NULL` on a screen that takes colour).
    public var nullText: String?

    /// NULL as this statement's table shows it: dim on a screen that takes colour.
    var nullDisplay: NullDisplay {
        let colour = writesToScreen && console.screenColors
        return NullDisplay(text: nullText ?? (colour ? "NULL" : ""), dim: colour)
    }

    /// The clock `now()` reads, asked once per source (a script's statements share one
    /// time, each typed statement reads it anew); nil keeps ``PlannerOptions/now`` as given
    /// (`--now`, tests).
    public var clock: (@Sendable () -> Instant)?

    /// When the catalog learns a fact (the system's clock; tests pin it). Not ``clock``, which
    /// is what `now()` reads, once per statement.
    public var catalogClock: @Sendable () -> Instant = { Instant(seconds: systemSeconds()) }
    var catalogTime: Instant { catalogClock() }

    public var planner: Planner {
        var options = target.plannerOptions(plannerOptions)
        if let clock { options.now = clock() }
        // A type the API showed for an endpoint is what a write sends, unless --resource-type says.
        options.resourceTypes.merge(catalog.types) { given, _ in given }
        // Columns the catalog saw holding one type: constants compared with them are of it.
        options.columnTypes = catalog.columnTypes
        options.columnsOfKnownType = catalog.columnsOfKnownType
        // In the shell, the columns known of each endpoint (a misspelt one is an error before
        // sending) and the filters a server refused (evaluated locally), with `\refresh` at hand.
        // Scripts keep to the server's answers, so that a stale cache on one machine never
        // changes how a script runs.
        if reader != nil {
            options.knownColumns = catalog.knownColumns
            options.rejectedFilters = catalog.rejectedFilters
        }
        return Planner(options)
    }
    public var compiler: Compiler { Compiler(planner: planner, console: console) }

    /// Switches target (`\region`, `\base`); the next statement uses it. The command line's
    /// credentials go along; a profile's stay with the profile's target (its token is for it).
    func retarget(_ target: Target) {
        var target = target
        if profile == nil {
            target.tokenFile = self.target.tokenFile
            target.tokenCommand = self.target.tokenCommand
            target.oauth = self.target.oauth
        }
        target.dialect = self.target.dialect
        self.target = target
        profile = nil
        resolvedCredentials = nil
        if catalogPath != nil { useCatalogCache(for: target) }
    }

    func setParameter(_ name: String, _ value: Literal?) {
        plannerOptions.parameters[name] = value
    }

    // MARK: - The input loop

    /// Reads lines until `\q` or end of input: a line starting with `\` (outside a statement)
    /// is a command; other lines gather into a statement until it is complete, then it runs.
    /// Errors are shown where they happen, and the session goes on (exit status 0, as psql).
    public func runInteractive(_ reader: LineReader, banner: String? = nil) async -> Int32 {
        self.reader = reader
        quitting = false
        // In the shell a result too wide for the terminal prints as records when a table would
        // hide half its columns or more (`\x` turns it off).
        expanded = .auto
        // The shell asks before a bulk write or a DELETE, on the line it reads from.
        confirmsWrites = true
        if confirm == nil { confirm = { [reader] question in await Self.ask(question, on: reader) } }
        if let banner { console.say(banner) }
        var buffer = ""
        var bufferFirstLine = ""
        while !quitting {
            completer.setPending(buffer)
            switch await reader.readLine(prompt: buffer.isEmpty ? prompt : Self.continuationPrompt) {
            case .endOfInput:
                console.say("")
                quitting = true
            case .interrupted:
                // Ctrl-C while typing drops the statement in progress, as psql does.
                console.say("")
                buffer = ""
            case .line(let line):
                let trimmed = line.trimming([" ", "\t"])
                // `\g` and `\watch` after a statement typed without its `;` run that statement.
                if !buffer.isEmpty, let (name, argument) = Self.bufferCommand(trimmed) {
                    let statement = buffer
                    buffer = ""
                    remember(statement + "\n" + trimmed, firstLine: bufferFirstLine)
                    switch name {
                    case "g": await go(statement, file: argument)
                    case "e": await editAndRun(statement)
                    default: await watch(statement, argument: argument)
                    }
                    continue
                }
                if buffer.isEmpty && trimmed.hasPrefix("\\") {
                    remember(trimmed, firstLine: line)
                    await perform(trimmed)
                    continue
                }
                if buffer.isEmpty { bufferFirstLine = line }
                buffer += (buffer.isEmpty ? "" : "\n") + line
                switch Parser.inputStatus(SourceText(buffer)) {
                case .empty: buffer = ""
                case .incomplete: continue
                case .complete:
                    remember(buffer, firstLine: bufferFirstLine)
                    let statement = buffer
                    buffer = ""
                    lastStatement = statement
                    await runCancellably(SourceText(statement, name: "<input>"))
                }
            }
        }
        reader.save()
        finish()
        return 0
    }

    /// Adds `entry` to the history, unless it must stay out of it: typed with a space first (as
    /// bash's ignorespace: the way to keep a statement holding a secret out of the file), or
    /// holding a URL with a user name or password in it.
    func remember(_ entry: String, firstLine: String) {
        guard firstLine.first != " ", RequestURL.userInfoRanges(in: entry).isEmpty else { return }
        reader?.remember(entry)
    }

    /// `\g [file]`, `\watch [seconds]` or `\e`, as its name and argument; nil for any other line.
    static func bufferCommand(_ line: String) -> (String, String)? {
        for name in ["g", "watch", "e"] where line == "\\" + name || line.hasPrefix("\\" + name + " ") {
            return (name, String(line.dropFirst(name.count + 1)).trimming([" ", "\t", ";"]))
        }
        return nil
    }

    /// `y` or `yes` (any case) is yes; anything else, Ctrl-C and end of input are no.
    static func ask(_ question: String, on reader: LineReader) async -> Bool {
        guard case .line(let answer) = await reader.readLine(prompt: question) else { return false }
        return ["y", "yes"].contains(answer.trimming([" ", "\t"]).lowercased())
    }

    /// Flushes results and closes a `\o` file; results go to the screen again.
    public func finish() {
        // The rows first: the catalog is a cache, and a slow disk must not hold up the output.
        output.flush()
        if let catalogPath { CatalogCache.save(catalog, to: catalogPath) }
        if let redirectedDescriptor { closeDescriptor(redirectedDescriptor) }
        redirectedDescriptor = nil
        output = OutputStream(console.screen)
    }

    /// Runs `source` so that Ctrl-C (``interruptRequested``) cancels it at once, and prints its
    /// time when `\timing` is on.
    /// Returns the status (`\watch` stops on an error or Ctrl-C).
    @discardableResult
    func runCancellably(_ source: SourceText) async -> Int32 {
        let started = ContinuousClock.now
        resultsWritten = 0  // a blank line separates the tables of one input, not of the session
        lastSummary = nil
        // In the shell, results longer than the screen go through the pager; the notes wait
        // for the end, to follow the results as they would without one.
        let paged = pagedScreen()
        if let paged {
            output = OutputStream(paged)
            currentPagedScreen = paged
            console.hold()
        }
        let status = await runCancellably([source], onInterrupt: { paged?.interrupt() })
        if let paged {
            output.flush()
            output = OutputStream(console.screen)
            currentPagedScreen = nil
            if paged.finish(interrupted: status == SysExit.interrupted) { resetInterrupt() }
            console.releaseHeld()
        }
        if timing {
            console.say("Time: \(fixed((ContinuousClock.now - started).inSeconds * 1000, 3)) ms" + (lastSummary.map { Self.timingNotes($0.rows, $0.summary) } ?? ""))
        }
        return status
    }

    /// Runs `sources` as ``run(_:)`` does, cancelling the statement running when Ctrl-C is
    /// pressed (``interruptRequested``): a read shows what it has, a write says which rows it
    /// wrote. Scripts and `-c` run this way too.
    public func runCancellably(_ sources: [SourceText], onInterrupt: @escaping @Sendable () -> Void = {}) async -> Int32 {
        resetInterrupt()
        let task = Task { await self.run(sources) }
        let interruptRequested = self.interruptRequested
        let watcher = Task {
            while !Task.isCancelled {
                if interruptRequested() {
                    task.cancel()
                    onInterrupt()
                    return
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        let status = await task.value
        watcher.cancel()
        return status
    }
}
