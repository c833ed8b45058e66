import VidflowCore

/// A stage type with a typed schema, for validation tests.
struct EchoStage: Stage {
    var typeName: String = "test.echo"
    var version: Int = 1
    var schema: StageSchema {
        StageSchema(
            parameters: [
                ParameterSpec("text", .string, required: true),
                ParameterSpec("count", .int, default: 1),
                ParameterSpec("quality", .string, default: "medium", allowed: ["low", "medium", "high"]),
                ParameterSpec("job_id", .string, default: "${{ previous.outputs.job_id }}"),
            ],
            outputs: [OutputSpec("job_id", .string), OutputSpec("file", .file)])
    }
    func run(_ context: any StageContext) async throws -> StageResult { StageResult(outputs: [:]) }
}

/// A stage whose first stage in a chain produces `job_id`.
struct SourceStage: Stage {
    var typeName = "test.source"
    var version = 1
    var schema: StageSchema {
        StageSchema(parameters: [ParameterSpec("seed", .int, default: 0)], outputs: [OutputSpec("job_id", .string)])
    }
    func run(_ context: any StageContext) async throws -> StageResult { StageResult(outputs: ["job_id": "j1"]) }
}

let testRegistry = StageRegistry([NoopStage(), EchoStage(), SourceStage()])

func load(_ yaml: String, file: String = "wf.yaml") throws -> WorkflowDefinition {
    try DefinitionValidator(registry: testRegistry).load(yaml, file: file)
}

/// The issues a definition is rejected with (empty when it is accepted).
func issues(_ yaml: String) -> [ValidationIssue] {
    do {
        _ = try load(yaml)
        return []
    } catch {
        return (error as? DefinitionError)?.issues ?? []
    }
}
