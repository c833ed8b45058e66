import Foundation
import VidflowCore

/// Polls a run's events (and stage rows) about every 100 ms and feeds a display until the run is terminal.
///
/// Works the same for a run this process executes and for one another process owns.
struct RunFollower {
    let store: any WorkflowStore
    let runID: String
    var interval: Duration = .milliseconds(100)

    /// Follows until the stored run is terminal, or `stopped()` says to (e.g. this engine stopped executing it).
    /// Returns the last event id shown.
    @discardableResult
    func follow(_ display: inout some RunDisplay, after start: Int64 = 0,
                stopped: () async -> Bool = { false }) async throws -> Int64 {
        var last = start
        while true {
            let finished = try await isTerminal()
            let stopping = finished ? true : await stopped()
            let events = try await drain(after: &last)
            let stages = display.needsStages ? try await store.stages(of: runID) : []
            if finished || stopping {
                display.update(events: events, stages: stages, now: Date())
                display.finish(stages: stages, now: Date())
                return last
            }
            display.update(events: events, stages: stages, now: Date())
            try await Task.sleep(for: interval)
        }
    }

    /// Every event after `last`, in id order; moves `last` on.
    func drain(after last: inout Int64) async throws -> [EventRecord] {
        var all: [EventRecord] = []
        while true {
            let page = try await store.events(runID: runID, after: last, limit: 500)
            all += page
            if let id = page.last?.id { last = id }
            if page.count < 500 { return all }
        }
    }

    private func isTerminal() async throws -> Bool {
        try await store.run(runID)?.status.isTerminal ?? true
    }
}
