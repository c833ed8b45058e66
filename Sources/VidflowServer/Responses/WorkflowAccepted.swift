import Hummingbird
import VidflowCore

/// `202` to `POST /v1/workflows` (and what `/v1/tasks` builds on): the run's id and the counts of its plan.
struct WorkflowAccepted: ResponseEncodable, Sendable {
    var workflowID: String
    var executionMode: ExecutionMode
    var tasksTotal: Int
    var tasksSkipped: Int
    var tasksToExecute: Int
    var message: String

    init(id: String, mode: ExecutionMode, total: Int, skipped: Int, message: String) {
        workflowID = id
        executionMode = mode
        tasksTotal = total
        tasksSkipped = skipped
        tasksToExecute = total - skipped
        self.message = message
    }
}
