import Foundation
import GRDB
import VidflowCore

/// Opens the SQLite file (WAL) and applies migrations; every migration is registered once and never edited.
public enum StoreDatabase {
    /// Opens (creating if needed) the database at `path` with WAL journaling.
    public static func open(path: String) throws -> DatabasePool {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // WAL + NORMAL: a commit survives a crash of this process (the log is in the OS page cache);
            // only a power loss can drop the last commits. `VIDFLOW_SQLITE_SYNC=FULL` trades speed for that.
            let sync = ProcessInfo.processInfo.environment["VIDFLOW_SQLITE_SYNC"]?.uppercased() == "FULL" ? "FULL" : "NORMAL"
            try db.execute(sql: "PRAGMA synchronous = \(sync)")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(WALCheckpointer.safetyNetPages)")
        }
        // Processes opening a new data directory at once must not race through the migrations
        // ("table runs already exists"): an exclusive file lock lets one migrate while the others wait.
        return try withFileLock(path + ".lock") {
            let pool = try DatabasePool(path: path, configuration: configuration)
            try migrator.migrate(pool)
            return pool
        }
    }

    private static func withFileLock<T>(_ lockPath: String, _ body: () throws -> T) throws -> T {
        // `open(O_CREAT)` creates the file at most once. (`FileManager.createFile` writes a temporary
        // file and renames it over the path, so two openers racing could each lock a different inode.)
        let descriptor = openLockFile(lockPath)
        guard descriptor >= 0 else { throw StoreError.corrupt("cannot open the lock file '\(lockPath)': errno \(errno)") }
        defer { closeLockFile(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw StoreError.corrupt("cannot lock '\(lockPath)': errno \(errno)") }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE runs (
                    id TEXT PRIMARY KEY NOT NULL,
                    workflow_name TEXT NOT NULL,
                    definition TEXT NOT NULL,
                    inputs TEXT NOT NULL,
                    mode TEXT NOT NULL,
                    base_run_id TEXT,
                    status TEXT NOT NULL,
                    error TEXT,
                    created_at REAL NOT NULL,
                    started_at REAL,
                    ended_at REAL,
                    source TEXT,
                    idempotency_key TEXT UNIQUE,
                    owner TEXT,
                    cancel_requested INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX runs_by_status ON runs(status, created_at);
                CREATE INDEX runs_by_created ON runs(created_at);
                CREATE INDEX runs_by_base ON runs(base_run_id);
                CREATE TABLE stages (
                    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    stage_id TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    type TEXT NOT NULL,
                    status TEXT NOT NULL,
                    needs TEXT NOT NULL,
                    cache_key TEXT,
                    components TEXT,
                    plan_reason TEXT NOT NULL,
                    input TEXT,
                    output TEXT,
                    artifacts TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    progress INTEGER NOT NULL,
                    error TEXT,
                    reused_from TEXT,
                    started_at REAL,
                    ended_at REAL,
                    next_attempt_at REAL,
                    PRIMARY KEY (run_id, stage_id)
                ) WITHOUT ROWID;
                CREATE TABLE attempts (
                    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    stage_id TEXT NOT NULL,
                    number INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    started_at REAL NOT NULL,
                    ended_at REAL,
                    error TEXT,
                    output TEXT,
                    PRIMARY KEY (run_id, stage_id, number)
                ) WITHOUT ROWID;
                CREATE TABLE external_jobs (
                    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    stage_id TEXT NOT NULL,
                    provider TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL UNIQUE,
                    external_id TEXT,
                    request TEXT NOT NULL,
                    attempt INTEGER NOT NULL,
                    intent_at REAL NOT NULL,
                    submitted_at REAL,
                    PRIMARY KEY (run_id, stage_id)
                );
                CREATE TABLE events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id TEXT NOT NULL,
                    stage_id TEXT,
                    kind TEXT NOT NULL,
                    data TEXT NOT NULL,
                    at REAL NOT NULL
                );
                CREATE INDEX events_by_run ON events(run_id, id);
                CREATE TABLE artifacts (
                    sha256 TEXT PRIMARY KEY NOT NULL,
                    size INTEGER NOT NULL,
                    path TEXT NOT NULL,
                    mime TEXT,
                    run_id TEXT NOT NULL,
                    stage_id TEXT NOT NULL,
                    created_at REAL NOT NULL
                );
                CREATE TABLE owners (
                    owner TEXT PRIMARY KEY NOT NULL,
                    heartbeat_at REAL NOT NULL
                );
                """)
        }
        registerServerMigrations(&migrator)
        registerFileAccessMigration(&migrator)
        registerJobDurationMigration(&migrator)
        return migrator
    }
}

/// `open(2)` with `O_CREAT` (at file scope, where the type's own `open` does not shadow it).
private func openLockFile(_ path: String) -> Int32 { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) }

private func closeLockFile(_ descriptor: Int32) { _ = close(descriptor) }
