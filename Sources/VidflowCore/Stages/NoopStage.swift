/// `noop`: passes its parameters on as outputs. For tests, demos of wiring, and the benchmark.
///
/// `sleep_ms` waits (cooperatively cancellable); `fail_times: N` fails the first N attempts with
/// `fail_kind` (default `transient`), so retries, backoff and skip-on-failure can be exercised.
public struct NoopStage: Stage {
    public init() {}

    public var typeName: String { "noop" }
    public var version: Int { 1 }
    public var schema: StageSchema {
        StageSchema(
            parameters: [
                ParameterSpec("sleep_ms", .int, default: 0, description: "Milliseconds to wait before finishing."),
                ParameterSpec("fail_times", .int, default: 0, description: "Fail this many attempts first."),
                ParameterSpec("fail_kind", .string, default: "transient", description: "Error kind of those failures."),
                ParameterSpec("progress_steps", .int, default: 0, description: "Progress reports while sleeping."),
            ],
            outputs: [OutputSpec("attempt", .int, description: "The attempt that succeeded.")],
            allowsAdditionalParameters: true,
            outputsEchoParameters: true
        )
    }

    public func run(_ context: any StageContext) async throws -> StageResult {
        let sleepMs = max(0, context.int("sleep_ms") ?? 0)
        let steps = max(0, context.int("progress_steps") ?? 0)
        if sleepMs > 0 {
            let slices = max(1, steps)
            for step in 1...slices {
                try await Task.sleep(for: .milliseconds(sleepMs / slices))
                if steps > 0 { await context.reportProgress(step * 100 / slices) }
            }
        }
        try Task.checkCancellation()
        if context.attempt <= (context.int("fail_times") ?? 0) {
            let kind = ErrorKind(context.string("fail_kind") ?? "transient")
            throw StageFailure(kind, "noop failing attempt \(context.attempt) as asked (fail_times)")
        }
        var outputs = context.parameters
        outputs["attempt"] = .int(context.attempt)
        return StageResult(outputs: outputs)
    }
}
