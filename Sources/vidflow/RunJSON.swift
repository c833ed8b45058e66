import Foundation
import VidflowCore
import VidflowEngine

/// Renders runs, stages and plans as the JSON documents `--json` prints.
enum RunJSON {
    /// A run with its stages: what `run --json` and `status --json` print.
    static func run(_ run: RunRecord, stages: [StageRecord]) -> JSONValue {
        var object = summary(run).objectValue ?? [:]
        object["inputs"] = .object(run.inputs)
        object["source"] = optional(run.source)
        object["stages"] = .array(stages.sorted { $0.position < $1.position }.map(stage))
        return .object(object)
    }

    /// A run without its stages: one entry of `runs --json`.
    static func summary(_ run: RunRecord) -> JSONValue {
        [
            "run_id": .string(run.id),
            "workflow": .string(run.workflowName),
            "status": .string(run.status.rawValue),
            "mode": .string(run.mode.rawValue),
            "base_run_id": optional(run.baseRunID),
            "error": failure(run.error),
            "created_at": time(run.createdAt),
            "started_at": time(run.startedAt),
            "ended_at": time(run.endedAt),
            "duration": seconds(run.startedAt, run.endedAt),
        ]
    }

    static func stage(_ stage: StageRecord) -> JSONValue {
        [
            "id": .string(stage.stageID),
            "type": .string(stage.type),
            "needs": .array(stage.needs.map(JSONValue.string)),
            "status": .string(stage.status.rawValue),
            "attempts": .int(stage.attempts),
            "progress": .int(stage.progress),
            "started_at": time(stage.startedAt),
            "ended_at": time(stage.endedAt),
            "duration": stage.duration.map(JSONValue.double) ?? .null,
            "outputs": stage.output.map(JSONValue.object) ?? .null,
            "artifacts": .array(stage.artifacts.map { artifact in
                ["path": .string(artifact.path), "sha256": .string(artifact.sha256), "size": .int(Int(artifact.size)),
                 "mime": optional(artifact.mime)]
            }),
            "error": failure(stage.error),
            "reused_from": optional(stage.reusedFrom?.description),
            "plan_reason": .string(stage.planReason),
            "next_attempt_at": time(stage.nextAttemptAt),
        ]
    }

    /// What `--dry-run --json` prints: the plan, nothing written.
    static func plan(_ prepared: PreparedRun) -> JSONValue {
        [
            "dry_run": true,
            "workflow": .string(prepared.run.workflowName),
            "mode": .string(prepared.plan.mode.rawValue),
            "base_run_id": optional(prepared.plan.baseRunID),
            "inputs": .object(prepared.run.inputs),
            "stages": .array(prepared.plan.stages.map { decision in
                ["id": .string(decision.stageID), "action": .string(decision.action.rawValue),
                 "reason": .string(decision.reason.description), "reused_from": optional(decision.reuse?.description),
                 "cache_key": optional(decision.cacheKey)]
            }),
        ]
    }

    /// Pretty, key-sorted JSON text with a trailing newline.
    static func text(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    static func time(_ date: Date?) -> JSONValue {
        date.map { .string(TextFormat.timestamp($0)) } ?? .null
    }

    private static func seconds(_ start: Date?, _ end: Date?) -> JSONValue {
        guard let start, let end else { return .null }
        return .double(end.timeIntervalSince(start))
    }

    private static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }

    private static func failure(_ failure: StageFailure?) -> JSONValue {
        guard let failure else { return .null }
        return ["kind": .string(failure.kind.rawValue), "message": .string(failure.message),
                "restart_from": optional(failure.restartFrom)]
    }
}
