import Foundation
import GRDB

/// Checkpoints the write-ahead log from a connection of its own, so the writer never pays for it.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses its page threshold and fsyncs
/// there, adding milliseconds to that one commit — the p99 of every stage hand-off. Here a PASSIVE
/// checkpoint runs every `interval` on a separate connection: it copies what it can and never blocks
/// the writer. The writer keeps a much higher automatic threshold only as a safety net.
final class WALCheckpointer: Sendable {
    /// Pages after which the writer still checkpoints by itself (about 40 MB of WAL).
    static let safetyNetPages = 10_000

    private let task: Task<Void, Never>

    init(path: String, interval: Duration = .milliseconds(500)) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "vidflow.checkpointer"
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        task = Task.detached(priority: .utility) {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                _ = try? await connection.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)")
                }
            }
        }
    }

    deinit { task.cancel() }
}
