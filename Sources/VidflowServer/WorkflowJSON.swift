import Foundation
import VidflowCore
import VidflowEngine

/// The JSON shapes of runs: status documents, list entries, plans.
enum WorkflowJSON {
    /// The status document; for a confined run every path is shown without the server's directories.
    static func status(_ run: RunRecord, stages: [StageRecord]) -> JSONValue {
        let policy = run.fileAccess
        var map: [String: JSONValue] = [:]
        for stage in stages {
            var entry: [String: JSONValue] = [
                "status": .string(stage.status.rawValue),
                "type": .string(stage.type),
                "input": policy.scrubbed(stage.input.map(JSONValue.object) ?? .null),
                "output": policy.scrubbed(stage.output.map(JSONValue.object) ?? .null),
                "start_time": JSONResponse.time(stage.startedAt),
                "end_time": JSONResponse.time(stage.endedAt),
                "duration": stage.duration.map(JSONValue.double) ?? .null,
                "attempts": .int(stage.attempts),
                "progress": .int(stage.progress),
                "error": failure(stage.error, policy: policy),
            ]
            if let reused = stage.reusedFrom { entry["reused_from"] = .string(reused.description) }
            map[stage.stageID] = .object(entry)
        }
        var object = summary(run).objectValue ?? [:]
        object["stages"] = .object(map)
        object["stage_order"] = .array(stages.sorted { $0.position < $1.position }.map { .string($0.stageID) })
        object["inputs"] = policy.scrubbed(.object(run.inputs))
        return .object(object)
    }

    static func summary(_ run: RunRecord) -> JSONValue {
        [
            "workflow_id": .string(run.id),
            "workflow": .string(run.workflowName),
            "status": .string(run.status.rawValue),
            "execution_mode": .string(run.mode.rawValue),
            "base_workflow_id": JSONResponse.optional(run.baseRunID),
            "created_at": JSONResponse.time(run.createdAt),
            "start_time": JSONResponse.time(run.startedAt),
            "end_time": JSONResponse.time(run.endedAt),
            "error": failure(run.error, policy: run.fileAccess),
        ]
    }

    static func failure(_ failure: StageFailure?, policy: FileAccessPolicy? = nil) -> JSONValue {
        guard let failure else { return .null }
        return ["code": .string(failure.kind.rawValue), "message": .string(policy.scrubbed(failure.message)),
                "restart_from": JSONResponse.optional(failure.restartFrom)]
    }

    /// The 202 answer to a create: counts of the plan.
    static func accepted(id: String, mode: ExecutionMode, total: Int, skipped: Int, message: String) -> JSONValue {
        ["workflow_id": .string(id), "execution_mode": .string(mode.rawValue), "tasks_total": .int(total),
         "tasks_skipped": .int(skipped), "tasks_to_execute": .int(total - skipped), "message": .string(message)]
    }

    /// The 200 answer to a dry run: every stage, run or reuse, and why.
    static func plan(_ prepared: PreparedRun) -> JSONValue {
        let skipped = prepared.plan.stages.filter { $0.action == .reuse }.count
        return [
            "dry_run": true,
            "workflow": .string(prepared.run.workflowName),
            "execution_mode": .string(prepared.plan.mode.rawValue),
            "base_workflow_id": JSONResponse.optional(prepared.plan.baseRunID),
            "inputs": prepared.run.fileAccess.scrubbed(.object(prepared.run.inputs)),
            "tasks_total": .int(prepared.plan.stages.count),
            "tasks_skipped": .int(skipped),
            "tasks_to_execute": .int(prepared.plan.stages.count - skipped),
            "stages": .array(prepared.plan.stages.map { decision in
                ["id": .string(decision.stageID), "action": .string(decision.action.rawValue),
                 "reason": .string(decision.reason.description),
                 "reused_from": JSONResponse.optional(decision.reuse?.description)]
            }),
        ]
    }
}
