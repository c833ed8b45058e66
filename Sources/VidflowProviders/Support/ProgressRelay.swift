import Synchronization
import VidflowCore

/// Carries progress from blocking FFmpeg work (a synchronous callback on a dispatch thread) to the
/// async `StageContext`, forwarding only whole-percent changes, in order, and only the newest one when
/// the engine is slower than the work, so it is never flooded and progress never goes backwards.
final class ProgressRelay: Sendable {
    private let context: any StageContext
    private let last = Mutex(-1)
    private let pending: AsyncStream<Int>.Continuation
    private let delivery: Task<Void, Never>

    init(_ context: any StageContext) {
        self.context = context
        let (stream, pending) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .bufferingNewest(1))
        self.pending = pending
        delivery = Task {
            for await percent in stream { await context.reportProgress(percent) }
        }
    }

    deinit {
        pending.finish()
    }

    /// Reports a fraction 0...1; called from any thread.
    func report(_ fraction: Double) {
        let percent = Int((min(1, max(0, fraction)) * 100).rounded(.down))
        let changed = last.withLock { last in
            guard percent > last else { return false }
            last = percent
            return true
        }
        if changed { pending.yield(percent) }
    }

    /// Reports 100% after the work is done, after every earlier report has been delivered.
    func finish() async {
        last.withLock { $0 = 100 }
        pending.finish()
        await delivery.value
        await context.reportProgress(100)
    }
}
