import GRDB

extension StoreDatabase {
    /// Tables of the HTTP service: users and token hashes, run ownership, callbacks and their deliveries.
    static func registerServerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2-server") { db in
            try db.execute(sql: """
                ALTER TABLE runs ADD COLUMN user_id TEXT;
                ALTER TABLE runs ADD COLUMN meta TEXT;
                ALTER TABLE runs ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX runs_by_user ON runs(user_id, created_at, id);
                CREATE TABLE users (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL UNIQUE,
                    is_admin INTEGER NOT NULL DEFAULT 0,
                    created_at REAL NOT NULL
                );
                CREATE TABLE tokens (
                    sha256 TEXT PRIMARY KEY NOT NULL,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    created_at REAL NOT NULL
                );
                CREATE TABLE callbacks (
                    run_id TEXT PRIMARY KEY NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    url TEXT NOT NULL,
                    state TEXT NOT NULL DEFAULT 'pending',
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at REAL NOT NULL
                );
                CREATE INDEX callbacks_due ON callbacks(state, next_attempt_at);
                CREATE TABLE webhook_deliveries (
                    id TEXT NOT NULL,
                    run_id TEXT NOT NULL,
                    attempt INTEGER NOT NULL,
                    url TEXT NOT NULL,
                    status_code INTEGER,
                    error TEXT,
                    at REAL NOT NULL,
                    duration_ms REAL NOT NULL,
                    PRIMARY KEY (run_id, attempt)
                );
                CREATE TABLE server_settings (
                    key TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL
                );
                """)
        }
        // Tokens get a public id (for `vidflow token list/revoke`), an expiry, a revocation time and the
        // last time they were used. Tokens made before have an id derived from their hash and never expire.
        migrator.registerMigration("v3-tokens") { db in
            try db.execute(sql: """
                ALTER TABLE tokens ADD COLUMN id TEXT;
                ALTER TABLE tokens ADD COLUMN expires_at REAL;
                ALTER TABLE tokens ADD COLUMN revoked_at REAL;
                ALTER TABLE tokens ADD COLUMN last_used_at REAL;
                UPDATE tokens SET id = 'tok_' || substr(sha256, 1, 12);
                CREATE UNIQUE INDEX tokens_by_id ON tokens(id);
                """)
        }
    }
}
