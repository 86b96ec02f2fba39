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

    /// `\pset null [TEXT]`: psql's spelling for how NULL shows in tables and records (the
    /// text may be quoted: `\pset null '(null)'`); alone, what it is. The other `\pset`
    /// options have commands of their own.
    func pset(_ argument: String) {
        let option = String(argument.prefix { $0 != " " && $0 != "\t" })
        guard option.lowercased() == "null" else {
            console.error("\\pset takes null, not '\(option)'", hint: "\\format sets the format, \\x the expanded display, \\pager the pager")
            return
        }
        var text = String(argument.dropFirst(option.count)).trimming([" ", "\t"])
        if text.count >= 2, text.hasPrefix("'"), text.hasSuffix("'") { text = String(text.dropFirst().dropLast()).replacing("''", with: "'") }
        if !text.isEmpty || argument.count > option.count { nullText = text }
        let shown = nullText ?? (console.screenColors ? "NULL" : "")
        say("Null display is \"\(shown)\"" + (nullText == nil && console.screenColors ? " (dim)." : "."))
    }

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

    /// `\serversort [checked|trusted|off]`: `--server-sort` for the rest of the session, or
    /// what it is.
    func setServerSort(_ argument: String) {
        if let mode = Dialect.SortMode(rawValue: argument.lowercased()) { target.dialect.sort = mode }
        switch target.dialect.sort {
        case .checked: say("Server sort is checked: ORDER BY is sent as sort=, and every row's place in it is checked.")
        case .trusted: say("Server sort is trusted: ORDER BY is sent as sort=, and the server's order is taken unchecked.")
        case .off: say("Server sort is off: no sort= is sent; ORDER BY runs here, after every page is read.")
        }
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
        say("Now querying \(region.displayName): \(region.baseURL)" + carriedCredentials)
    }

    /// What `\region` and `\base` say of the command line's credentials, which go along to the
    /// new target: said, since a token then goes to a host other than the one it was given for.
    private var carriedCredentials: String {
        if target.tokenFile != nil { return " (the token of --token-file goes with it)" }
        if target.tokenCommand != nil { return " (--token-command's token goes with it)" }
        if target.oauth != nil { return " (the OAuth client's tokens go with it)" }
        return ""
    }

    func setBase(_ argument: String) {
        do {
            retarget(try .base(url: argument))
        } catch {
            console.error(error)
            return
        }
        say("Now querying \(target.baseURL)" + carriedCredentials)
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

/// Seconds since the epoch, by the system's clock.
func systemSeconds() -> Int { time(nil) }
