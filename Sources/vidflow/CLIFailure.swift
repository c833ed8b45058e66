import ArgumentParser
import VidflowCore
import VidflowEngine

/// A command that cannot go on: a readable message for stderr and the exit code it means.
///
/// ```swift
/// throw CLIFailure.badInput("no run with id 'run_x'")   // prints one line, exits 2
/// ```
struct CLIFailure: Error, CustomStringConvertible {
    var message: String
    var code: Int32

    /// Bad input: a bad file, an invalid definition, an unknown run, a bad `--input`, a conflicting retry.
    static func badInput(_ message: String) -> CLIFailure { CLIFailure(message: message, code: 2) }

    /// Something went wrong that is not the user's input (e.g. the database is unreadable).
    static func failure(_ message: String) -> CLIFailure { CLIFailure(message: message, code: 1) }

    var description: String { message }

    /// The failure an error thrown by the engine, the store or the parser stands for.
    static func from(_ error: any Error) -> CLIFailure {
        switch error {
        case let failure as CLIFailure: return failure
        case let error as DefinitionError: return .badInput(message(error))
        case let error as EngineError:
            if case .invalid(let definitionError) = error { return .badInput(message(definitionError)) }
            return .badInput(error.description)
        case let error as StoreError:
            switch error {
            case .runNotFound, .conflict: return .badInput(error.description)
            case .corrupt: return .failure(error.description)
            }
        default: return .failure(String(describing: error))
        }
    }

    /// One line when only inputs are wrong or there is a single problem; else the summary and every issue
    /// (at most `DefinitionError.maxListed`) with file, stage and field. Quoted input is always cut short.
    static func message(_ error: DefinitionError) -> String {
        if error.issues.count == 1, let issue = error.issues.first, !issue.field.hasPrefix("inputs.") {
            return "invalid workflow: \(issue)"
        }
        guard !error.issues.isEmpty, error.issues.allSatisfy({ $0.stage == nil && $0.field.hasPrefix("inputs.") }) else {
            return error.description
        }
        let listed = error.issues.prefix(DefinitionError.maxListed).map { "\($0.field.dropFirst(7)): \($0.message)" }
        let more = error.issues.count > DefinitionError.maxListed ? "; … and \(error.issues.count - DefinitionError.maxListed) more" : ""
        return "bad inputs: " + listed.joined(separator: "; ") + more
    }

    /// Prints the message to stderr and turns the failure into the `ExitCode` ArgumentParser exits with.
    func report() -> ExitCode {
        Console.error("vidflow: error: " + message)
        return ExitCode(code)
    }

    /// Runs a command body; any error is reported as one readable message and its exit code.
    static func guarding(_ body: () async throws -> Int32) async throws {
        let code: Int32
        do {
            code = try await body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw from(error).report()
        }
        if code != 0 { throw ExitCode(code) }
    }
}
