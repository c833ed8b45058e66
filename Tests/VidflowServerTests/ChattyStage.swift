import VidflowCore

/// `test.chatty`: writes `lines` log events of `bytes` characters each, after `delay_ms`.
struct ChattyStage: Stage {
    var typeName: String { "test.chatty" }
    var version: Int { 1 }
    var schema: StageSchema {
        StageSchema(parameters: [ParameterSpec("lines", .int, default: 10), ParameterSpec("bytes", .int, default: 100),
                                 ParameterSpec("delay_ms", .int, default: 0)],
                    outputs: [])
    }

    func run(_ context: any StageContext) async throws -> StageResult {
        try await Task.sleep(for: .milliseconds(context.int("delay_ms") ?? 0))
        let filler = String(repeating: "x", count: max(0, context.int("bytes") ?? 100))
        for line in 0..<(context.int("lines") ?? 10) {
            await context.log("line \(line) \(filler)")
        }
        return StageResult(outputs: [:])
    }
}
