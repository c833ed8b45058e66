import Synchronization
import VidflowCore

/// Carries progress from blocking FFmpeg work (a synchronous callback on a dispatch thread) to the
/// async `StageContext`, forwarding only whole-percent changes so the engine is not flooded.
final class ProgressRelay: Sendable {
    private let context: any StageContext
    private let last = Mutex(-1)

    init(_ context: any StageContext) {
        self.context = context
    }

    /// Reports a fraction 0...1; called from any thread.
    func report(_ fraction: Double) {
        let percent = Int((min(1, max(0, fraction)) * 100).rounded(.down))
        let changed = last.withLock { last in
            guard percent > last else { return false }
            last = percent
            return true
        }
        guard changed else { return }
        let context = self.context
        Task { await context.reportProgress(percent) }
    }

    /// Reports 100% after the work is done, in order.
    func finish() async {
        last.withLock { $0 = 100 }
        await context.reportProgress(100)
    }
}
