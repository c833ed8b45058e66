import Foundation
import Hummingbird
import VidflowCore

/// `GET /v1/workflows/status/{id}`: the run (as `WorkflowSummary`), every stage by id and in order, the
/// inputs and the run's files. For a confined run every path is shown without the server's directories.
struct WorkflowStatus: ResponseEncodable, Sendable {
    var summary: WorkflowSummary
    var stages: [String: Stage]
    var stageOrder: [String]
    /// The run's inputs (free-form).
    var inputs: JSONValue
    var output: Output

    /// One stage: its state, its input and output (free-form), its times and attempts.
    struct Stage: Encodable, Sendable {
        var status: StageStatus
        var type: String
        var input: JSONValue
        var output: JSONValue
        @Nullable var startTime: Date?
        @Nullable var endTime: Date?
        @Nullable var duration: Double?
        var attempts: Int
        var progress: Int
        @Nullable var error: RunFailure?
        /// Only for a stage taken from an earlier run.
        var reusedFrom: String?

        init(_ stage: StageRecord, policy: FileAccessPolicy?) {
            status = stage.status
            type = stage.type
            input = policy.scrubbed(stage.input.map(JSONValue.object) ?? .null)
            output = policy.scrubbed(stage.output.map(JSONValue.object) ?? .null)
            startTime = stage.startedAt
            endTime = stage.endedAt
            duration = stage.duration
            attempts = stage.attempts
            progress = stage.progress
            error = RunFailure(stage.error, policy: policy)
            reusedFrom = stage.reusedFrom?.description
        }
    }

    /// The run's files, linked into the user's storage under `share/workflows/<id>/`.
    struct Output: Encodable, Sendable {
        var files: [RunFile]
        var directory: String
    }

    init(_ run: RunRecord, stages: [StageRecord], files: [RunFile]) {
        summary = WorkflowSummary(run)
        var map: [String: Stage] = [:]
        for stage in stages { map[stage.stageID] = Stage(stage, policy: run.fileAccess) }
        self.stages = map
        stageOrder = stages.sorted { $0.position < $1.position }.map(\.stageID)
        inputs = run.fileAccess.scrubbed(.object(run.inputs))
        output = Output(files: files, directory: "/" + RunShare.directory(run.id))
    }

    private enum CodingKeys: String, CodingKey { case stages, stageOrder, inputs, output }

    /// The summary's fields, then the status's own, in one object.
    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(stages, forKey: .stages)
        try container.encode(stageOrder, forKey: .stageOrder)
        try container.encode(inputs, forKey: .inputs)
        try container.encode(output, forKey: .output)
    }
}
