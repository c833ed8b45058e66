import VidflowCore

/// The progress of several jobs polled at once, reported as their average so the stage's bar moves
/// steadily instead of jumping between jobs.
actor CombinedProgress {
    private var percents: [Int]
    private let context: any StageContext

    init(count: Int, context: any StageContext) {
        percents = Array(repeating: 0, count: max(1, count))
        self.context = context
    }

    /// Records job `index` at `percent` and reports the average.
    func report(_ percent: Int, for index: Int) async {
        guard percents.indices.contains(index) else { return }
        percents[index] = min(100, max(0, percent))
        await context.reportProgress(percents.reduce(0, +) / percents.count)
    }
}
