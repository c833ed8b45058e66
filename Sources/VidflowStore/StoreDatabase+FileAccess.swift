import GRDB

extension StoreDatabase {
    /// `runs.file_access`: the JSON `FileAccessPolicy` of a run created over HTTP (NULL: the CLI's runs,
    /// which may read any file), kept so a run recovered after a restart stays confined.
    static func registerFileAccessMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3-file-access") { db in
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN file_access TEXT")
        }
    }
}
