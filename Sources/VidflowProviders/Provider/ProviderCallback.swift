import Foundation
import Synchronization

/// A callback POSTed by a provider to `/v1/callbacks/<name>`: the raw body and headers, as needed to
/// verify a signature over exactly what was sent.
public struct ProviderCallbackDelivery: Sendable {
    /// Header names lower-cased.
    public var headers: [String: String]
    /// Query parameters of the callback URL (vidflow adds a `token` for providers that do not sign).
    public var query: [String: String]
    public var body: Data
    public var receivedAt: Date

    public init(headers: [String: String], query: [String: String] = [:], body: Data, receivedAt: Date = Date()) {
        self.headers = headers
        self.query = query
        self.body = body
        self.receivedAt = receivedAt
    }
}

/// What a callback said: which job, and its state now.
public struct ProviderCallbackUpdate: Sendable, Hashable {
    public var jobID: String
    public var status: VideoJobStatus

    public init(jobID: String, status: VideoJobStatus) {
        self.jobID = jobID
        self.status = status
    }
}

/// Hands job updates from provider callbacks to the `video.poll` stages waiting on those jobs, so a
/// poll finishes on the callback instead of its next status request. Updates that arrive before
/// anyone waits (a fast provider, a callback before the first poll) are kept for a while.
///
/// ```swift
/// hub.deliver(provider: "kling", update)                       // from POST /v1/callbacks/kling
/// let status = await hub.wait(provider: "kling", jobID: id, upTo: .seconds(5))
/// ```
public final class ProviderCallbackHub: Sendable {
    private struct Waiter: Sendable {
        let id: UUID
        let continuation: CheckedContinuation<VideoJobStatus?, Never>
    }

    private struct State: Sendable {
        var latest: [String: (status: VideoJobStatus, at: Date)] = [:]
        var waiters: [String: [Waiter]] = [:]
    }

    private let state = Mutex(State())
    /// How long an unclaimed update is kept.
    private let retention: TimeInterval

    public init(retention: TimeInterval = 3600) {
        self.retention = retention
    }

    /// Records `update` and wakes whoever waits on its job.
    public func deliver(provider: String, _ update: ProviderCallbackUpdate) {
        let key = Self.key(provider, update.jobID)
        let woken: [Waiter] = state.withLock { state in
            let now = Date()
            state.latest = state.latest.filter { now.timeIntervalSince($0.value.at) < retention }
            // A late "running" must not hide an earlier terminal update.
            if let existing = state.latest[key], existing.status.state.isTerminal, !update.status.state.isTerminal {
                return []
            }
            state.latest[key] = (update.status, now)
            return state.waiters.removeValue(forKey: key) ?? []
        }
        for waiter in woken { waiter.continuation.resume(returning: update.status) }
    }

    /// The last update received for the job, if any.
    public func latest(provider: String, jobID: String) -> VideoJobStatus? {
        state.withLock { $0.latest[Self.key(provider, jobID)]?.status }
    }

    /// Waits up to `duration` for an update on the job; returns nil when none came.
    public func wait(provider: String, jobID: String, upTo duration: Duration) async -> VideoJobStatus? {
        let key = Self.key(provider, jobID)
        let id = UUID()
        let timer = Task { [weak self] in
            try? await Task.sleep(for: duration)
            self?.expire(key, id)
        }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow: Bool = state.withLock { state in
                    if Task.isCancelled { return true }
                    state.waiters[key, default: []].append(Waiter(id: id, continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume(returning: nil) }
            }
        } onCancel: {
            expire(key, id)
        }
    }

    private func expire(_ key: String, _ id: UUID) {
        let waiter: Waiter? = state.withLock { state in
            guard var list = state.waiters[key], let index = list.firstIndex(where: { $0.id == id }) else { return nil }
            let waiter = list.remove(at: index)
            state.waiters[key] = list.isEmpty ? nil : list
            return waiter
        }
        waiter?.continuation.resume(returning: nil)
    }

    private static func key(_ provider: String, _ jobID: String) -> String { provider + "\u{1F}" + jobID }
}
