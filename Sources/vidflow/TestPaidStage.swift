import Foundation
import VidflowCore

/// `test.paid` (only with `VIDFLOW_TEST_STAGES=1`): pays a counting fake through `submitOnce`.
///
/// Each real submit sleeps `sleep_ms`, then appends its idempotency key as one line to `logPath`
/// (O_APPEND, fsync) and returns the job id; `reconcile` finds a key already in that file. Crash tests
/// count the lines to prove that a stage of a run never pays twice.
struct TestPaidStage: Stage {
    static let logName = "test-paid-submits.log"

    let logPath: String

    var typeName: String { "test.paid" }
    var version: Int { 1 }
    var schema: StageSchema {
        StageSchema(
            parameters: [
                ParameterSpec("sleep_ms", .int, default: 200, description: "Milliseconds a submit takes."),
                ParameterSpec("prompt", .string, default: "test", description: "Sent with the job."),
            ],
            outputs: [
                OutputSpec("job_id", .string, description: "The fake provider's job id."),
                OutputSpec("origin", .string, description: "submitted, recorded or reconciled."),
            ])
    }

    func run(_ context: any StageContext) async throws -> StageResult {
        let sleepMs = max(0, context.int("sleep_ms") ?? 200)
        let path = logPath
        let job = try await context.submitOnce(
            provider: "test-paid",
            request: ["prompt": context.parameters["prompt"] ?? .null],
            reconcile: { _, key in try Self.submittedKeys(at: path).contains(key) ? Self.jobID(for: key) : nil },
            submit: { key in
                try await Task.sleep(for: .milliseconds(sleepMs))
                try Self.append(key, to: path)
                return Self.jobID(for: key)
            })
        return StageResult(outputs: ["job_id": .string(job.externalID), "origin": .string(job.origin.rawValue)])
    }

    static func jobID(for key: String) -> String { "job-" + key }

    /// The idempotency keys submitted so far, one per line.
    static func submittedKeys(at path: String) throws -> Set<String> {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return Set(text.split(separator: "\n").map(String.init))
    }

    /// Appends one line durably: a single O_APPEND write, then fsync.
    static func append(_ key: String, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard descriptor >= 0 else { throw StageFailure(.internalError, "cannot open \(path): errno \(errno)") }
        defer { close(descriptor) }
        let bytes = Array((key + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            throw StageFailure(.internalError, "cannot append to \(path): errno \(errno)")
        }
    }
}
