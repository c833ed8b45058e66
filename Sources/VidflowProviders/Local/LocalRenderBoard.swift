import Synchronization

/// The renders running in this process, keyed by output path: their progress and cancel requests.
///
/// Process-wide so that two `LocalProvider` values over the same directory never render one job twice.
final class LocalRenderBoard: Sendable {
    static let shared = LocalRenderBoard()

    private struct Entry {
        var progress = 0
        var cancelled = false
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Claims the render of `key`; false when it is already running here.
    func begin(_ key: String) -> Bool {
        entries.withLock { entries in
            if entries[key] != nil { return false }
            entries[key] = Entry()
            return true
        }
    }

    func update(_ key: String, progress: Int) {
        entries.withLock { $0[key]?.progress = min(99, max(0, progress)) }
    }

    /// The progress of a render running here, or nil when `key` is not rendering in this process.
    func progress(of key: String) -> Int? { entries.withLock { $0[key]?.progress } }

    /// Asks a running render to stop; false when it is not running here.
    func cancel(_ key: String) -> Bool {
        entries.withLock { entries in
            guard entries[key] != nil else { return false }
            entries[key]?.cancelled = true
            return true
        }
    }

    func isCancelled(_ key: String) -> Bool { entries.withLock { $0[key]?.cancelled ?? false } }

    func end(_ key: String) { _ = entries.withLock { $0.removeValue(forKey: key) } }
}
