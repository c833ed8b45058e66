import GRDB

extension StoreDatabase {
    /// `job_durations`: how long succeeded provider jobs took, per provider and model (the last
    /// `JobDurationHistory.kept` of each), which `video.poll` paces its requests by; and an index to find
    /// a job's submit record by its provider's id.
    static func registerJobDurationMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v4-job-durations") { db in
            try db.execute(sql: """
                CREATE TABLE job_durations (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    provider TEXT NOT NULL,
                    model TEXT NOT NULL,
                    seconds REAL NOT NULL,
                    finished_at REAL NOT NULL
                );
                CREATE INDEX job_durations_by_model ON job_durations(provider, model, id);
                CREATE INDEX external_jobs_by_external_id ON external_jobs(provider, external_id);
                """)
        }
    }
}
