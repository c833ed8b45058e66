import Foundation
import GRDB
import VidflowCore

/// Applies a `StoreBatch` inside an open transaction, with cached statements.
enum BatchWriter {
    /// Returns the events inserted, with their ids, for `EventHub` once the transaction commits.
    @discardableResult
    static func apply(_ batch: StoreBatch, in db: Database) throws -> [WrittenEvent] {
        for update in batch.runUpdates {
            try db.cachedStatement(sql: """
                UPDATE runs SET status = ?, error = ?, started_at = COALESCE(?, started_at),
                ended_at = COALESCE(?, ended_at) WHERE id = ?
                """).execute(arguments: [update.status.rawValue, try RowCoding.jsonOrNil(update.error),
                                         RowCoding.time(update.startedAt), RowCoding.time(update.endedAt), update.runID])
        }
        for stage in batch.stages { try write(stage, in: db) }
        for attempt in batch.attempts {
            try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO attempts (run_id, stage_id, number, status, started_at, ended_at, error, output)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [attempt.runID, attempt.stageID, attempt.number, attempt.status.rawValue,
                                         RowCoding.time(attempt.startedAt), RowCoding.time(attempt.endedAt),
                                         try RowCoding.jsonOrNil(attempt.error), RowCoding.jsonOrNil(attempt.output)])
        }
        for job in batch.jobs {
            try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO external_jobs (run_id, stage_id, provider, idempotency_key, external_id, request,
                attempt, intent_at, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [job.runID, job.stageID, job.provider, job.idempotencyKey, job.externalID,
                                         RowCoding.json(job.request), job.attempt, RowCoding.time(job.intentAt),
                                         RowCoding.time(job.submittedAt)])
        }
        for update in batch.progress {
            try db.cachedStatement(sql: "UPDATE stages SET progress = ? WHERE run_id = ? AND stage_id = ? AND status = 'running'")
                .execute(arguments: [update.percent, update.runID, update.stageID])
        }
        for key in batch.discardedJobs {
            try db.cachedStatement(sql: "DELETE FROM external_jobs WHERE run_id = ? AND stage_id = ? AND external_id IS NULL")
                .execute(arguments: [key.runID, key.stageID])
        }
        var written: [WrittenEvent] = []
        written.reserveCapacity(batch.events.count)
        for event in batch.events {
            let data = RowCoding.json(event.data)
            try db.cachedStatement(sql: "INSERT INTO events (run_id, stage_id, kind, data, at) VALUES (?, ?, ?, ?, ?)")
                .execute(arguments: [event.runID, event.stageID, event.kind.rawValue, data, RowCoding.time(event.at)])
            written.append(WrittenEvent(id: db.lastInsertedRowID, event: event, dataJSON: data))
        }
        return written
    }

    /// Updates a stage's mutable columns; the row is inserted whole only when it does not exist yet.
    /// What the planner fixed at creation (type, needs, cache key and its components) is never re-encoded.
    static func write(_ stage: StageRecord, in db: Database) throws {
        if stage.status == .completed && stage.reusedFrom == nil {
            for artifact in stage.artifacts {
                // First producer wins: the row says which stage made the file, for audits and clean-up.
                try db.cachedStatement(sql: """
                    INSERT OR IGNORE INTO artifacts (sha256, size, path, mime, run_id, stage_id, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [artifact.sha256, artifact.size, artifact.path, artifact.mime, stage.runID,
                                             stage.stageID, RowCoding.time(stage.endedAt ?? Date())])
            }
        }
        try db.cachedStatement(sql: """
            UPDATE stages SET status = ?, input = ?, output = ?, artifacts = ?, attempts = ?, progress = ?, error = ?,
            reused_from = ?, started_at = ?, ended_at = ?, next_attempt_at = ? WHERE run_id = ? AND stage_id = ?
            """).execute(arguments: [
                stage.status.rawValue, RowCoding.jsonOrNil(stage.input), RowCoding.jsonOrNil(stage.output),
                stage.artifacts.isEmpty ? "[]" : try RowCoding.json(stage.artifacts), stage.attempts, stage.progress,
                try RowCoding.jsonOrNil(stage.error), try RowCoding.jsonOrNil(stage.reusedFrom),
                RowCoding.time(stage.startedAt), RowCoding.time(stage.endedAt), RowCoding.time(stage.nextAttemptAt),
                stage.runID, stage.stageID,
            ])
        if db.changesCount == 0 { try insert(stage, in: db) }
    }

    static func insert(_ stage: StageRecord, in db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO stages (run_id, stage_id, position, type, status, needs, cache_key, components,
            plan_reason, input, output, artifacts, attempts, progress, error, reused_from, started_at, ended_at,
            next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                stage.runID, stage.stageID, stage.position, stage.type, stage.status.rawValue,
                try RowCoding.json(stage.needs), stage.cacheKey, try RowCoding.jsonOrNil(stage.components),
                stage.planReason, RowCoding.jsonOrNil(stage.input), RowCoding.jsonOrNil(stage.output),
                try RowCoding.json(stage.artifacts), stage.attempts, stage.progress, try RowCoding.jsonOrNil(stage.error),
                try RowCoding.jsonOrNil(stage.reusedFrom), RowCoding.time(stage.startedAt), RowCoding.time(stage.endedAt),
                RowCoding.time(stage.nextAttemptAt),
            ])
    }
}
