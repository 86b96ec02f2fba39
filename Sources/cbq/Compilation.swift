import ArgumentParser
import CBQCore

/// Parses and plans every statement of a source, reporting errors the way the terminal wants
/// them; shared by `translate` and `explain`.
struct Compilation {
    let source: SourceText
    let planner: Planner

    /// Plans each statement in order; stops at the first error, printing it, and exits 65.
    func plans() throws -> [StatementPlan] {
        let statements = Parser.parseScript(source)
        if statements.isEmpty {
            ErrorReporter.report("no statement to run", hint: "e.g. SELECT * FROM people.people LIMIT 10")
            throw ExitCode(SysExit.dataError)
        }
        var plans: [StatementPlan] = []
        for statement in statements {
            do {
                let parsed = try statement.result.get()
                plans.append(try planner.plan(parsed, source: source))
            } catch {
                ErrorReporter.report(error, in: source)
                throw ExitCode(SysExit.dataError)
            }
        }
        return plans
    }
}

/// Exit statuses from sysexits.h, as the SQLite shell and Crafting Interpreters use them.
enum SysExit {
    static let usage: Int32 = 64
    static let dataError: Int32 = 65
    static let noInput: Int32 = 66
    static let unavailable: Int32 = 69
    static let software: Int32 = 70
    static let partial: Int32 = 75
    static let noPermission: Int32 = 77
}
