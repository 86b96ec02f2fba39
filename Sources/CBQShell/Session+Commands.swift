#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CBQCore
import CBQRuntime

/// The backslash commands' handlers. Each gets an argument its ``ArgumentSpec`` has accepted.
extension Session {
    /// Runs one backslash line, e.g. `\x auto` or `\d people.people`.
    public func perform(_ line: String) async {
        let body = line.dropFirst()
        let name = String(body.prefix { $0 != " " && $0 != "\t" })
        let argument = String(body.dropFirst(name.count)).trimming([" ", "\t", ";"])
        guard let command = MetaCommand.named(name) else {
            let suggestion = Suggestion.closest(to: name, among: MetaCommand.all.map(\.name))
            console.error("unknown command \\\(name)", hint: suggestion.map { "did you mean \\\($0)?" } ?? "\\help lists the commands")
            return
        }
        if let problem = command.argument.problem(with: argument, command: name) {
            console.error(problem)
            return
        }
        await command.run(self, argument)
    }

    func help(_ argument: String) {
        let name = argument.hasPrefix("\\") ? String(argument.dropFirst()) : argument
        if name.isEmpty { say(MetaCommand.help); return }
        guard let command = MetaCommand.named(name) else {
            console.error("no command \\\(name)", hint: "\\help lists the commands")
            return
        }
        say("\(command.usage)\n  \(command.summary)")
    }

    func quit() { quitting = true }

    func setExpanded(_ argument: String) {
        // `\x` alone: records if they were not on (from the shell's `auto` too), else a table.
        expanded = argument.isEmpty ? (expanded == .on ? .off : .on) : Expanded(rawValue: argument.lowercased())!
        say("Expanded display is \(expanded.rawValue).")
    }

    func setFormat(_ argument: String) {
        format = OutputFormat(rawValue: argument.lowercased())!
        say("Output format is \(format.rawValue).")
    }

    func setTiming(_ argument: String) {
        timing = argument.isEmpty ? !timing : argument.lowercased() == "on"
        say("Timing is \(timing ? "on" : "off").")
    }

    func setDryRun(_ argument: String) {
        dryRun = argument.isEmpty ? !dryRun : argument.lowercased() == "on"
        say(dryRun ? "Dry run is on: INSERT, UPDATE and DELETE run their reads and print their requests; nothing is written."
                   : "Dry run is off: writes are sent.")
    }

    func set(_ argument: String) {
        if argument.isEmpty {
            let parameters = plannerOptions.parameters
            let names = parameters.keys.sorted()
            say(names.isEmpty ? "No parameters are set; \\set name value sets :name." : names.map { "\($0) = \(parameters[$0]!)" }.joined(separator: "\n"))
            return
        }
        let name = String(argument.prefix { $0 != " " })
        guard name.isPlainIdentifier else {
            console.error("'\(name)' is not a parameter name (letters, digits and _)")
            return
        }
        setParameter(name, Literal(parameterValue: String(argument.dropFirst(name.count)).trimming([" "])))
    }

    func unset(_ argument: String) {
        guard plannerOptions.parameters[argument] != nil else {
            console.error("no parameter :\(argument)")
            return
        }
        setParameter(argument, nil)
    }

    func include(_ path: String) async {
        let text: String
        do {
            text = try SourceFiles.read(path)
        } catch {
            console.error(error)
            return
        }
        await runCancellably(SourceText(text, name: path))
    }

    func redirect(_ path: String) {
        finish()
        guard !path.isEmpty else {
            say("Results go to the screen.")
            return
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else {
            console.error("cannot write '\(path)': \(String(cString: strerror(errno)))")
            return
        }
        redirectedDescriptor = descriptor
        output = OutputStream(FileDescriptorSink(descriptor))
        say("Results go to \(path).")
    }

    private func plans(_ query: String) -> [StatementPlan]? {
        compiler.compileAll(SourceText(query, name: "<input>"), emptyMessage: "give a query, e.g. \\url SELECT * FROM people.people", emptyHint: nil)
    }

    func translate(_ query: String, curl: Bool) {
        guard let plans = plans(query) else { return }
        say(Compiler.urls(plans, wire: false, curl: curl).joined(separator: "\n"))
    }

    func explain(_ query: String) {
        guard let plans = plans(query) else { return }
        say(plans.map { $0.explanation() }.joined(separator: "\n\n"))
    }

    func setRegion(_ argument: String) {
        let region = Region(rawValue: argument.lowercased())!
        retarget(.region(region))
        say("Now querying \(region.displayName): \(region.baseURL)")
    }

    func setBase(_ argument: String) {
        do {
            retarget(try .base(url: argument))
        } catch {
            console.error(error)
            return
        }
        say("Now querying \(target.baseURL)")
    }

    func describe(_ argument: String) {
        if argument.isEmpty {
            say("Endpoints (the guide's, and those used this session):\n" + catalog.endpoints.map { "  " + $0 }.joined(separator: "\n"))
            return
        }
        let columns = catalog.columns(of: argument)
        guard !columns.isEmpty else {
            say("No columns seen for \(argument) yet: run a query against it (SELECT * FROM \(argument) LIMIT 1).")
            return
        }
        // psql's \d: a table of the columns, their types and whether a null was seen, as far
        // as the rows seen tell, in the shell's own table format.
        let rows = columns.map { column -> [SQLValue] in
            let kind = catalog.kind(of: column, in: argument)
            let type = kind.map { $0.kind == .unknown ? "" : $0.kind.rawValue } ?? ""
            return [.text(column), .text(type), .text(kind?.nullSeen == true ? "null seen" : "")]
        }
        let sink = MemorySink()
        let table = OutputStream(sink)
        let renderer = Renderers.make(.table, output: table, terminalWidth: console.screenWidth(), allColumns: false,
                                      bold: console.screenColors)
        renderer.begin(["Column", "Type", "Nulls"].map { ResultColumn(name: $0, field: $0) })
        for row in rows { renderer.write(.values(row)) }
        renderer.finish(rowCount: rows.count)
        table.flush()
        let seen = catalog.rowsSeen(of: argument)
        say("Endpoint \(argument)" + (seen > 0 ? " (types from \(counted(seen, "row")) seen)" : "") + "\n" + sink.text)
    }

    /// Reads up to 100 rows of each endpoint to learn its columns and their kinds, showing
    /// nothing: for the built-in sandbox, whose schema is then known from the first prompt (and
    /// `\d` and completion work before any query). Failures are ignored: the catalog stays as it was.
    public func learnSchema(of endpoints: [String]) async {
        var options = execution
        guard let credentials = try? credentials() else { return }
        options.credentials = credentials
        let executor = Executor(transport: transport, options: options)
        for endpoint in endpoints {
            guard let plan = try? planner.planSelect("SELECT * FROM \(endpoint) LIMIT 100") else { continue }
            var rows: [RawRow] = []
            _ = try? await executor.run(plan) { rows += $0 }
            catalog.learn(endpoint: endpoint, rows: rows[...])
        }
    }

    func showHistory() {
        let entries = reader?.entries ?? []
        say(entries.enumerated().map { "\(String($0.offset + 1).leftPadded(5))  \($0.element)" }.joined(separator: "\n"))
    }
}

func closeDescriptor(_ descriptor: Int32) { close(descriptor) }

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
