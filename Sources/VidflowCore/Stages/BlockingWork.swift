import Dispatch
import Foundation
import Synchronization

/// A flag that blocking work (an FFmpeg loop) polls to notice that its task was cancelled.
public final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
    public func cancel() { flag.store(true, ordering: .relaxed) }

    private static let threadKey = "vidflow.cancellation-flag"

    /// The flag of the `runBlocking` work running on this thread, if any: lets code deep inside it
    /// (file hashing) notice cancellation without being handed the flag.
    public static var current: CancellationFlag? {
        Thread.current.threadDictionary[threadKey] as? CancellationFlag
    }

    func withCurrent<T>(_ body: () throws -> T) rethrows -> T {
        let dictionary = Thread.current.threadDictionary
        let previous = dictionary[Self.threadKey]
        dictionary[Self.threadKey] = self
        defer { dictionary[Self.threadKey] = previous }
        return try body()
    }
}

/// Runs CPU-bound or blocking work on a dispatch thread, off Swift's small cooperative pool,
/// and forwards task cancellation to it through a `CancellationFlag` (also `CancellationFlag.current`
/// while the work runs).
public func runBlocking<T: Sendable>(
    _ work: @escaping @Sendable (CancellationFlag) throws -> T
) async throws -> T {
    let flag = CancellationFlag()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try flag.withCurrent { try work(flag) } })
            }
        }
    } onCancel: {
        flag.cancel()
    }
}
