#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import CBQCore
import CBQRuntime

/// The interactive shell: one input loop for typed statements and `\i` files, backslash
/// commands from ``MetaCommands``, a continuation prompt while a statement is incomplete, and
/// Ctrl-C that cancels a running query without leaving the session.
///
/// Used from one task at a time (the loop); `@unchecked Sendable` lets the meta-command table
/// hold handlers that take it.
final class REPL: @unchecked Sendable {
    enum Expanded: String { case off, on, auto }

    private var plannerOptions: PlannerOptions
    private var targetLabel: String
    private var isSandbox: Bool
    private let runOptions: RunOptions
    private let transport: AsyncHTTPTransport
    private var format: OutputFormat
    private var expanded = Expanded.off
    private var timing = false
    private var output = OutputStream(descriptor: 1)
    private let catalog = Catalog()
    private let completer: Completer
    private let editor: LineEditor
    private var quitting = false

    init(plannerOptions: PlannerOptions, targetLabel: String, isSandbox: Bool, runOptions: RunOptions, transport: AsyncHTTPTransport) {
        self.plannerOptions = plannerOptions
        self.targetLabel = targetLabel
        self.isSandbox = isSandbox
        self.runOptions = runOptions
        self.transport = transport
        self.format = runOptions.format
        completer = Completer(catalog: catalog)
        editor = LineEditor(historyPath: LineEditor.defaultHistoryPath(), completer: completer)
    }

    var prompt: String { "cbq(\(targetLabel))> " }
    static let continuationPrompt = "      -> "

    func run(banner: String) async -> Int32 {
        say(banner)
        var buffer = ""
        while !quitting {
            completer.setPending(buffer)
            switch await editor.readLine(prompt: buffer.isEmpty ? prompt : Self.continuationPrompt) {
            case .endOfInput:
                writeAll(1, Array("\n".utf8))
                quitting = true
            case .interrupted:
                // Ctrl-C while typing drops the statement in progress, as psql does.
                writeAll(1, Array("\n".utf8))
                buffer = ""
            case .line(let line):
                let trimmed = line.trimming([" ", "\t"])
                if buffer.isEmpty && trimmed.hasPrefix("\\") {
                    editor.remember(trimmed)
                    await meta(trimmed)
                    continue
                }
                buffer += (buffer.isEmpty ? "" : "\n") + line
                switch Parser.inputStatus(SourceText(buffer)) {
                case .empty: buffer = ""
                case .incomplete: continue
                case .complete:
                    editor.remember(buffer)
                    let statement = buffer
                    buffer = ""
                    await execute(SourceText(statement, name: "<input>"))
                }
            }
        }
        editor.save()
        output.flush()
        return 0  // as psql: errors were shown where they happened
    }

    // MARK: - Running statements

    private func execute(_ source: SourceText) async {
        let token: String?
        do {
            token = try TokenSource.token(file: runOptions.tokenFile, baseURL: plannerOptions.baseURL, sandbox: isSandbox)
        } catch {
            return  // the reason was printed
        }
        var format = self.format
        if expanded == .on && format == .table { format = .vertical }
        let runner = ScriptRunner(planner: Planner(plannerOptions), executor: Executor(transport: transport, options: runOptions.executionOptions(token: token)),
                                  format: format, output: output, continueOnError: false)
        runner.interactive = true
        runner.expandedAuto = expanded == .auto
        let catalog = self.catalog
        runner.learn = { endpoint, columns in catalog.learn(endpoint: endpoint, columns: columns) }

        let started = ContinuousClock.now
        Interrupts.reset()
        let task = Task { await runner.run(source) }
        // Ctrl-C during a fetch: the handler sets a flag; cancel the query as soon as it does.
        let watcher = Task {
            while !Task.isCancelled {
                if Interrupts.wasInterrupted { task.cancel(); return }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        _ = await task.value
        watcher.cancel()
        if timing { say("Time: \(fixed((ContinuousClock.now - started).inSeconds * 1000, 3)) ms") }
    }

    // MARK: - Meta-commands

    private func meta(_ line: String) async {
        let body = line.dropFirst()
        let name = String(body.prefix { $0 != " " && $0 != "\t" })
        let argument = String(body.dropFirst(name.count)).trimming([" ", "\t", ";"])
        guard let command = MetaCommands.named(name) else {
            let suggestion = Suggestion.closest(to: name, among: MetaCommands.all.map(\.name))
            ErrorReporter.report("unknown command \\\(name)", hint: suggestion.map { "did you mean \\\($0)?" } ?? "\\help lists the commands")
            return
        }
        await command.run(self, argument)
    }

    func help(_ argument: String) {
        let name = argument.hasPrefix("\\") ? String(argument.dropFirst()) : argument
        if name.isEmpty { say(MetaCommands.help); return }
        guard let command = MetaCommands.named(name) else {
            ErrorReporter.report("no command \\\(name)", hint: "\\help lists the commands")
            return
        }
        say("\\\(command.name)\(command.arguments.isEmpty ? "" : " " + command.arguments)\n  \(command.summary)")
    }

    func quit() { quitting = true }

    func setExpanded(_ argument: String) {
        switch argument.lowercased() {
        case "": expanded = expanded == .off ? .on : .off
        case "on": expanded = .on
        case "off": expanded = .off
        case "auto": expanded = .auto
        default:
            ErrorReporter.report("\\x takes on, off or auto, not '\(argument)'")
            return
        }
        say("Expanded display is \(expanded.rawValue).")
    }

    func setFormat(_ argument: String) {
        guard let chosen = OutputFormat(rawValue: argument.lowercased()) else {
            ErrorReporter.report("unknown format '\(argument)'", hint: "one of: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            return
        }
        format = chosen
        say("Output format is \(chosen.rawValue).")
    }

    func setTiming(_ argument: String) {
        switch argument.lowercased() {
        case "": timing.toggle()
        case "on": timing = true
        case "off": timing = false
        default:
            ErrorReporter.report("\\timing takes on or off, not '\(argument)'")
            return
        }
        say("Timing is \(timing ? "on" : "off").")
    }

    func set(_ argument: String) {
        if argument.isEmpty {
            let names = plannerOptions.parameters.keys.sorted()
            say(names.isEmpty ? "No parameters are set; \\set name value sets :name." : names.map { "\($0) = \(plannerOptions.parameters[$0]!)" }.joined(separator: "\n"))
            return
        }
        let name = String(argument.prefix { $0 != " " })
        guard name.isPlainIdentifier else {
            ErrorReporter.report("'\(name)' is not a parameter name (letters, digits and _)")
            return
        }
        let value = String(argument.dropFirst(name.count)).trimming([" "])
        plannerOptions.parameters[name] = Literal(parameterValue: value)
    }

    func unset(_ argument: String) {
        guard plannerOptions.parameters.removeValue(forKey: argument) != nil else {
            ErrorReporter.report("no parameter :\(argument)")
            return
        }
    }

    func include(_ path: String) async {
        guard !path.isEmpty else { ErrorReporter.report("\\i needs a file"); return }
        guard let text = try? readFile(path) else { return }
        await execute(SourceText(text, name: path))
    }

    func redirect(_ path: String) {
        output.flush()
        if output.descriptor != 1 { close(output.descriptor) }
        guard !path.isEmpty else {
            output = OutputStream(descriptor: 1)
            say("Results go to the screen.")
            return
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else {
            ErrorReporter.report("cannot write '\(path)': \(String(cString: strerror(errno)))")
            output = OutputStream(descriptor: 1)
            return
        }
        output = OutputStream(descriptor: descriptor)
        say("Results go to \(path).")
    }

    private func plans(_ query: String) -> [StatementPlan]? {
        let source = SourceText(query, name: "<input>")
        var plans: [StatementPlan] = []
        for statement in Parser.parseScript(source) {
            do {
                plans.append(try Planner(plannerOptions).plan(try statement.result.get(), source: source))
            } catch {
                ErrorReporter.report(error, in: source)
                return nil
            }
        }
        if plans.isEmpty { ErrorReporter.report("give a query, e.g. \\url SELECT * FROM people.people") }
        return plans.isEmpty ? nil : plans
    }

    func translate(_ query: String, curl: Bool) {
        guard let plans = plans(query) else { return }
        for plan in plans {
            for url in plan.initialURLs(style: curl ? .wire : .readable) { say(curl ? Translate.curl(url) : url) }
        }
    }

    func explain(_ query: String) {
        guard let plans = plans(query) else { return }
        say(plans.map { $0.explanation() }.joined(separator: "\n\n"))
    }

    func setRegion(_ argument: String) {
        guard let region = Region(rawValue: argument.lowercased()) else {
            ErrorReporter.report("\\region takes us or ca")
            return
        }
        plannerOptions.baseURL = region.baseURL
        targetLabel = region.rawValue
        isSandbox = false
        say("Now querying \(region.displayName): \(region.baseURL)")
    }

    func setBase(_ argument: String) {
        do {
            plannerOptions.baseURL = try TargetOptions.normalize(baseURL: argument)
        } catch {
            ErrorReporter.report("\(error)")
            return
        }
        targetLabel = RequestURL(plannerOptions.baseURL)?.host ?? "base"
        isSandbox = false
        say("Now querying \(plannerOptions.baseURL)")
    }

    func describe(_ argument: String) {
        if argument.isEmpty {
            say("Endpoints (the guide's, and those used this session):\n" + catalog.endpoints.map { "  " + $0 }.joined(separator: "\n"))
            return
        }
        let columns = catalog.columns(of: argument)
        say(columns.isEmpty ? "No columns seen for \(argument) yet: run a query against it (SELECT * FROM \(argument) LIMIT 1)."
            : "Columns of \(argument) seen so far:\n" + columns.map { "  " + $0 }.joined(separator: "\n"))
    }

    func showHistory() {
        say(editor.entries.enumerated().map { "\(String($0.offset + 1).leftPadded(5))  \($0.element)" }.joined(separator: "\n"))
    }

    /// Meta-command output goes to the screen, even while results go to a file.
    private func say(_ text: String) {
        output.flush()
        writeAll(1, Array((text + "\n").utf8))
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
