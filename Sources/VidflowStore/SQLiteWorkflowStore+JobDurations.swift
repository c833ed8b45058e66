import Foundation
import GRDB
import VidflowCore

extension SQLiteWorkflowStore: JobDurationHistory {
    /// One index lookup (`external_jobs_by_external_id`); the earliest submit wins, so a retry that kept
    /// the job (and recorded it again when it kept it) does not make it look younger.
    public func firstSubmission(provider: String, externalID: String) async throws -> ExternalJobRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT * FROM external_jobs WHERE provider = ? AND external_id = ? AND submitted_at IS NOT NULL
                ORDER BY submitted_at LIMIT 1
                """, arguments: [provider, externalID]).map(RowCoding.job)
        }
    }

    /// One index range (`job_durations_by_model`), newest first.
    public func recentJobDurations(provider: String, model: String) async throws -> [Double] {
        try await pool.read { db in
            try Double.fetchAll(db, sql: """
                SELECT seconds FROM job_durations WHERE provider = ? AND model = ? ORDER BY id DESC LIMIT ?
                """, arguments: [provider, model, Self.kept])
        }
    }

    /// Inserts the duration and deletes what falls beyond the newest `kept` of its provider and model,
    /// in one transaction, so the table never holds more than `kept` rows per provider and model.
    public func recordJobDuration(_ seconds: Double, provider: String, model: String, finishedAt: Date) async throws {
        guard seconds.isFinite, seconds >= 0 else { return }
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO job_durations (provider, model, seconds, finished_at) VALUES (?, ?, ?, ?)",
                           arguments: [provider, model, seconds, finishedAt.timeIntervalSince1970])
            try db.execute(sql: """
                DELETE FROM job_durations WHERE provider = ? AND model = ? AND id <= (
                    SELECT id FROM job_durations WHERE provider = ? AND model = ? ORDER BY id DESC LIMIT 1 OFFSET ?)
                """, arguments: [provider, model, provider, model, Self.kept])
        }
    }
}
