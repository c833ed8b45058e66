import Dispatch
import Synchronization

/// A flag that blocking work (an FFmpeg loop) polls to notice that its task was cancelled.
public final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
    public func cancel() { flag.store(true, ordering: .relaxed) }
}

/// Runs CPU-bound or blocking work on a dispatch thread, off Swift's small cooperative pool,
/// and forwards task cancellation to it through a `CancellationFlag`.
public func runBlocking<T: Sendable>(
    _ work: @escaping @Sendable (CancellationFlag) throws -> T
) async throws -> T {
    let flag = CancellationFlag()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try work(flag) })
            }
        }
    } onCancel: {
        flag.cancel()
    }
}
