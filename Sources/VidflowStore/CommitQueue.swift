import Foundation
import GRDB
import VidflowCore

/// Group commit: writes that arrive while a transaction is being written share the next one.
///
/// Each caller's write runs in its own savepoint, so one failing write fails alone; every caller
/// resumes only after the transaction holding its write has committed (and learns of it if the
/// commit fails). Transitions (`commit`) and run creations (`write`) share the queue, so a burst of
/// creates costs one transaction, not one each.
///
/// ```swift
/// let queue = CommitQueue(writer: pool)
/// try await queue.commit(batch)
/// let id = try await queue.write { db in try insertRun(db) }
/// ```
actor CommitQueue {
    /// One caller's write, waiting for the next transaction.
    private struct PendingWrite: Sendable {
        /// Runs the write in its savepoint; returns what resumes the caller once the transaction committed.
        let perform: @Sendable (Database) -> @Sendable () -> Void
        /// Resumes the caller when the transaction itself failed: nothing of it is durable.
        let fail: @Sendable (any Error) -> Void
    }

    private let writer: DatabasePool
    /// Where the events of committed batches are pushed (in commit order, before their callers resume).
    private let events: EventHub?
    private var pending: [PendingWrite] = []
    private var draining = false

    init(writer: DatabasePool, events: EventHub? = nil) {
        self.writer = writer
        self.events = events
    }

    /// Commits a batch of transitions, in the next group transaction.
    func commit(_ batch: StoreBatch) async throws {
        let events = events
        _ = try await write(afterCommit: { written in events?.publish(committed: written) }) { db in
            try BatchWriter.apply(batch, in: db)
        }
    }

    /// Runs `body` in the next group transaction (in its own savepoint); returns its value once committed.
    /// `afterCommit` gets that value once the transaction committed, in commit order, before the caller resumes.
    func write<T: Sendable>(afterCommit: (@Sendable (T) -> Void)? = nil,
                            _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let perform: @Sendable (Database) -> @Sendable () -> Void = { db in
                let result = Result<T, any Error> {
                    var value: T?
                    try db.inSavepoint {
                        value = try body(db)
                        return .commit
                    }
                    guard let value else { throw StoreError.corrupt("a group-committed write returned nothing") }
                    return value
                }
                return {
                    if let afterCommit, case .success(let value) = result { afterCommit(value) }
                    continuation.resume(with: result)
                }
            }
            pending.append(PendingWrite(perform: perform, fail: { continuation.resume(throwing: $0) }))
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let work = pending
            pending.removeAll(keepingCapacity: true)
            do {
                let resumptions = try await writer.write { db in work.map { $0.perform(db) } }
                for resume in resumptions { resume() }
            } catch {
                for write in work { write.fail(error) }
            }
        }
        draining = false
    }
}
