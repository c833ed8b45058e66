import Hummingbird
import VidflowCore
import VidflowEngine

/// `200` to a dry run of `POST /v1/workflows`: every stage, run or reuse, and why; nothing is created.
struct WorkflowPlan: ResponseEncodable, Sendable {
    var dryRun = true
    var workflow: String
    var executionMode: ExecutionMode
    @Nullable var baseWorkflowID: String?
    /// The run's inputs as given (free-form).
    var inputs: JSONValue
    var tasksTotal: Int
    var tasksSkipped: Int
    var tasksToExecute: Int
    var stages: [Stage]

    /// One stage's decision.
    struct Stage: Encodable, Sendable {
        var id: String
        var action: StagePlan.Action
        var reason: String
        @Nullable var reusedFrom: String?
    }

    init(_ prepared: PreparedRun) {
        let skipped = prepared.plan.stages.filter { $0.action == .reuse }.count
        workflow = prepared.run.workflowName
        executionMode = prepared.plan.mode
        baseWorkflowID = prepared.plan.baseRunID
        inputs = prepared.run.fileAccess.scrubbed(.object(prepared.run.inputs))
        tasksTotal = prepared.plan.stages.count
        tasksSkipped = skipped
        tasksToExecute = prepared.plan.stages.count - skipped
        stages = prepared.plan.stages.map { decision in
            Stage(id: decision.stageID, action: decision.action, reason: decision.reason.description,
                  reusedFrom: decision.reuse?.description)
        }
    }
}
