import Logging
import Synchronization

/// A counting semaphore for tasks: FIFO waiters, cancellation removes a waiter cleanly.
public final class AsyncSemaphore: Sendable {
    private struct State {
        var permits: Int
        var capacity: Int
        var nextID: UInt64 = 0
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var cancelled: Set<UInt64> = []
    }

    private let state: Mutex<State>

    public init(permits: Int) {
        state = Mutex(State(permits: max(1, permits), capacity: max(1, permits)))
    }

    /// Changes how many permits exist; waiters are let in at once when it grows, and holders above a
    /// smaller limit finish normally (their releases are absorbed).
    public func resize(to newCapacity: Int) {
        state.withLock { s in
            let capacity = max(1, newCapacity)
            s.permits += capacity - s.capacity
            s.capacity = capacity
            while s.permits > 0, !s.waiters.isEmpty {
                s.permits -= 1
                s.waiters.removeFirst().continuation.resume()
            }
        }
    }

    /// How many permits exist.
    public var capacity: Int { state.withLock { $0.capacity } }

    /// Waits for a permit; throws `CancellationError` if the task is cancelled while waiting.
    public func acquire() async throws {
        let id = state.withLock { s in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                state.withLock { s in
                    if s.cancelled.remove(id) != nil {
                        continuation.resume(throwing: CancellationError())
                    } else if s.permits > 0 {
                        s.permits -= 1
                        continuation.resume()
                    } else {
                        s.waiters.append((id, continuation))
                    }
                }
            }
        } onCancel: {
            state.withLock { s in
                if let index = s.waiters.firstIndex(where: { $0.id == id }) {
                    s.waiters.remove(at: index).continuation.resume(throwing: CancellationError())
                } else {
                    s.cancelled.insert(id)
                }
            }
        }
        state.withLock { s in _ = s.cancelled.remove(id) }
    }

    /// Takes a permit only if one is free and nobody is waiting (waiters keep their FIFO turn).
    public func tryAcquire() -> Bool {
        state.withLock { s in
            guard s.permits > 0, s.waiters.isEmpty else { return false }
            s.permits -= 1
            return true
        }
    }

    public func release() {
        state.withLock { s in
            if s.waiters.isEmpty {
                s.permits += 1
            } else {
                s.waiters.removeFirst().continuation.resume()
            }
        }
    }

    /// Tasks waiting right now (the queue depth).
    public var waiting: Int { state.withLock { $0.waiters.count } }
}

/// The global concurrency limit plus named pools (e.g. one per provider), created on first use.
public final class ConcurrencyLimiter: Sendable {
    private let global: AsyncSemaphore
    private let pools: Mutex<[String: AsyncSemaphore]>
    private let limits: [String: Int]
    private let defaultPoolLimit: Mutex<Int>
    /// Where the stages queued for and running in each pool are counted.
    private let metrics: EngineMetrics

    public convenience init(globalLimit: Int, poolLimits: [String: Int] = [:], defaultPoolLimit: Int = 3) {
        self.init(globalLimit: globalLimit, poolLimits: poolLimits, defaultPoolLimit: defaultPoolLimit,
                  metrics: EngineMetrics(factory: nil, logger: Engine.defaultLogger))
    }

    init(globalLimit: Int, poolLimits: [String: Int], defaultPoolLimit: Int, metrics: EngineMetrics) {
        global = AsyncSemaphore(permits: globalLimit)
        pools = Mutex([:])
        limits = poolLimits
        self.defaultPoolLimit = Mutex(defaultPoolLimit)
        self.metrics = metrics
    }

    private func semaphore(for pool: String) -> AsyncSemaphore {
        let fallback = defaultPoolLimit.withLock { $0 }
        return pools.withLock { pools in
            if let existing = pools[pool] { return existing }
            let created = AsyncSemaphore(permits: limits[pool] ?? fallback)
            pools[pool] = created
            return created
        }
    }

    /// Changes the limit of every pool without a limit of its own, at once (a config change).
    public func setDefaultPoolLimit(_ limit: Int) {
        defaultPoolLimit.withLock { $0 = limit }
        let resized = pools.withLock { pools in pools.filter { limits[$0.key] == nil }.map(\.value) }
        for semaphore in resized { semaphore.resize(to: limit) }
    }

    /// The current limit of `pool`.
    public func limit(of pool: String) -> Int { semaphore(for: pool).capacity }

    /// Takes a pool slot first, then a global one, so a task waiting for its pool holds no global slot.
    public func acquire(pool: String?) async throws {
        metrics.queued(pool, 1)
        defer { metrics.queued(pool, -1) }
        if let pool { try await semaphore(for: pool).acquire() }
        do {
            try await global.acquire()
        } catch {
            if let pool { semaphore(for: pool).release() }
            throw error
        }
        metrics.running(pool, 1)
    }

    /// Takes a pool slot and a global slot without waiting, or neither.
    public func tryAcquire(pool: String?) -> Bool {
        let poolSemaphore = pool.map { semaphore(for: $0) }
        if let poolSemaphore, !poolSemaphore.tryAcquire() { return false }
        if global.tryAcquire() {
            metrics.running(pool, 1)
            return true
        }
        poolSemaphore?.release()
        return false
    }

    public func release(pool: String?) {
        release(pool: pool, global: true)
    }

    /// Releases a stage's pool slot, and its global slot when it still holds one (`StageSlotLease`).
    func release(pool: String?, global holdsGlobal: Bool) {
        metrics.running(pool, -1)
        if holdsGlobal { global.release() }
        if let pool { semaphore(for: pool).release() }
    }

    /// Gives a global slot back while its stage keeps its pool slot (a stage waiting on a provider).
    func releaseGlobal() { global.release() }

    /// Takes a global slot back for a stage that still holds its pool slot.
    func acquireGlobal() async throws { try await global.acquire() }

    public var queueDepth: Int { global.waiting + pools.withLock { $0.values.reduce(0) { $0 + $1.waiting } } }
}
