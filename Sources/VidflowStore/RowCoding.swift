import Foundation
import GRDB
import VidflowCore

/// JSON text columns and time columns, encoded one way everywhere.
enum RowCoding {
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func jsonOrNil<T: Encodable>(_ value: T?) throws -> String? {
        try value.map { try json($0) }
    }

    // Values and objects (events, stage inputs and outputs) skip `JSONEncoder`: they are on the hot path.
    static func json(_ value: JSONValue) -> String { value.canonicalJSON }
    static func json(_ value: [String: JSONValue]) -> String { value.canonicalJSON }
    static func jsonOrNil(_ value: [String: JSONValue]?) -> String? { value?.canonicalJSON }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String?, column: String) throws -> T? {
        guard let text else { return nil }
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError.corrupt("column \(column): \(error)")
        }
    }

    static func time(_ date: Date?) -> Double? { date?.timeIntervalSince1970 }
    static func date(_ seconds: Double?) -> Date? { seconds.map { Date(timeIntervalSince1970: $0) } }

    static func run(_ row: Row) throws -> RunRecord {
        guard let definition = try decode(WorkflowDefinition.self, row["definition"], column: "definition") else {
            throw StoreError.corrupt("run without definition")
        }
        var run = RunRecord(
            id: row["id"], definition: definition,
            inputs: try decode([String: JSONValue].self, row["inputs"], column: "inputs") ?? [:],
            mode: ExecutionMode(rawValue: row["mode"]) ?? .full,
            baseRunID: row["base_run_id"],
            status: RunStatus(rawValue: row["status"]) ?? .failed,
            createdAt: date(row["created_at"]) ?? Date(),
            source: row["source"], idempotencyKey: row["idempotency_key"])
        run.workflowName = row["workflow_name"]
        run.error = try decode(StageFailure.self, row["error"], column: "error")
        run.startedAt = date(row["started_at"])
        run.endedAt = date(row["ended_at"])
        if row.hasColumn("file_access") {
            run.fileAccess = try decode(FileAccessPolicy.self, row["file_access"], column: "file_access")
        }
        return run
    }

    static func stage(_ row: Row) throws -> StageRecord {
        var stage = StageRecord(
            runID: row["run_id"], stageID: row["stage_id"], position: row["position"], type: row["type"],
            status: StageStatus(rawValue: row["status"]) ?? .failed,
            needs: try decode([String].self, row["needs"], column: "needs") ?? [],
            components: try decode(CacheKeyComponents.self, row["components"], column: "components"),
            planReason: row["plan_reason"])
        stage.cacheKey = row["cache_key"]
        stage.input = try decode([String: JSONValue].self, row["input"], column: "input")
        stage.output = try decode([String: JSONValue].self, row["output"], column: "output")
        stage.artifacts = try decode([ArtifactRef].self, row["artifacts"], column: "artifacts") ?? []
        stage.attempts = row["attempts"]
        stage.progress = row["progress"]
        stage.error = try decode(StageFailure.self, row["error"], column: "error")
        stage.reusedFrom = try decode(StageRef.self, row["reused_from"], column: "reused_from")
        stage.startedAt = date(row["started_at"])
        stage.endedAt = date(row["ended_at"])
        stage.nextAttemptAt = date(row["next_attempt_at"])
        return stage
    }

    static func attempt(_ row: Row) throws -> AttemptRecord {
        var attempt = AttemptRecord(runID: row["run_id"], stageID: row["stage_id"], number: row["number"],
                                    status: AttemptRecord.Status(rawValue: row["status"]) ?? .failed,
                                    startedAt: date(row["started_at"]) ?? Date())
        attempt.endedAt = date(row["ended_at"])
        attempt.error = try decode(StageFailure.self, row["error"], column: "error")
        attempt.output = try decode([String: JSONValue].self, row["output"], column: "output")
        return attempt
    }

    static func job(_ row: Row) throws -> ExternalJobRecord {
        var job = ExternalJobRecord(runID: row["run_id"], stageID: row["stage_id"], provider: row["provider"],
                                    idempotencyKey: row["idempotency_key"],
                                    request: try decode(JSONValue.self, row["request"], column: "request") ?? .null,
                                    attempt: row["attempt"], intentAt: date(row["intent_at"]) ?? Date())
        job.externalID = row["external_id"]
        job.submittedAt = date(row["submitted_at"])
        return job
    }

    static func event(_ row: Row) throws -> EventRecord {
        EventRecord(id: row["id"], runID: row["run_id"], stageID: row["stage_id"],
                    kind: EventKind(rawValue: row["kind"]) ?? .log,
                    data: try decode(JSONValue.self, row["data"], column: "data") ?? .null,
                    at: date(row["at"]) ?? Date())
    }
}
