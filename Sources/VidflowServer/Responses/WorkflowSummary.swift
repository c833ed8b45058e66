import Foundation
import Hummingbird
import VidflowCore

/// A run as `GET /v1/workflows` lists it (and the head of its status document).
struct WorkflowSummary: Encodable, Sendable {
    var workflowID: String
    var workflow: String
    var status: RunStatus
    var executionMode: ExecutionMode
    @Nullable var baseWorkflowID: String?
    var createdAt: Date
    @Nullable var startTime: Date?
    @Nullable var endTime: Date?
    @Nullable var error: RunFailure?

    init(_ run: RunRecord) {
        workflowID = run.id
        workflow = run.workflowName
        status = run.status
        executionMode = run.mode
        baseWorkflowID = run.baseRunID
        createdAt = run.createdAt
        startTime = run.startedAt
        endTime = run.endedAt
        error = RunFailure(run.error, policy: run.fileAccess)
    }
}
