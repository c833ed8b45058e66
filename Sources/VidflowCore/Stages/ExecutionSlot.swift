/// Lets a running stage give its execution slot back while it only waits on something outside the
/// process (a provider job between polls, a callback, a rate limit), so waiting stages do not keep
/// working ones out.
///
/// The engine binds `current` while a stage runs; tasks the stage starts inherit it. Outside an engine
/// (tests, tools) `released(during:)` just runs its body.
///
/// ```swift
/// try await ExecutionSlot.released { try await Task.sleep(for: .seconds(5)) }
/// ```
public enum ExecutionSlot {
    /// The slot of the stage running in this task, when an engine runs it.
    @TaskLocal public static var current: (any ExecutionSlotHolder)?

    /// Runs `body` without the calling stage's execution slot and takes the slot back before returning
    /// (not when the task was cancelled meanwhile: a stopping stage needs no slot). The stage's pool
    /// slot (e.g. its provider's) stays held, so pools still bound work in flight.
    public static func released<T>(during body: () async throws -> T) async throws -> T {
        guard let current else { return try await body() }
        return try await current.released(during: body)
    }
}

/// What the engine binds as `ExecutionSlot.current`: one stage attempt's hold on the global slot.
public protocol ExecutionSlotHolder: Sendable {
    /// Gives the slot back for the duration of `body` (see `ExecutionSlot.released(during:)`).
    func released<T>(during body: () async throws -> T) async throws -> T
}

extension StageContext {
    /// Runs `body`, a wait on something outside the process, without holding an execution slot
    /// (`ExecutionSlot.released(during:)`).
    public func waiting<T>(_ body: () async throws -> T) async throws -> T {
        try await ExecutionSlot.released(during: body)
    }
}
