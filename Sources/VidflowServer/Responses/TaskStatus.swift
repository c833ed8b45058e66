import Foundation
import Hummingbird
import VidflowCore

/// `GET /v1/tasks/{id}/status` (and `202` to a `POST /v1/tasks` repeating a `task_id`): the one stage's
/// status, progress, result (its free-form output), failure and times.
struct TaskStatus: ResponseEncodable, Sendable {
    var taskID: String
    var taskName: String
    var status: RunStatus
    var progress: Int
    /// The stage's output (free-form), null until it has one.
    var result: JSONValue
    @Nullable var error: RunFailure?
    var createdAt: Date
    @Nullable var completedAt: Date?

    init(_ run: RunRecord, stage: StageRecord?) {
        taskID = run.id
        taskName = stage?.type ?? ""
        status = run.status
        progress = stage?.progress ?? 0
        result = run.fileAccess.scrubbed(stage?.output.map(JSONValue.object) ?? .null)
        error = RunFailure(run.error, policy: run.fileAccess)
        createdAt = run.createdAt
        completedAt = run.endedAt
    }
}
