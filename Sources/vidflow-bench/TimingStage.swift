import Foundation
import Synchronization
import VidflowCore

/// A `noop`-shaped stage that records when each stage body starts and ends, so the benchmark can
/// measure the engine's own time between one stage finishing and the next one starting.
struct TimingStage: Stage {
    let clock: StageClock
    var typeName: String { "bench.timed" }
    var version: Int { 1 }
    var schema: StageSchema { StageSchema(parameters: [], outputs: [], allowsAdditionalParameters: true, outputsEchoParameters: true) }

    func run(_ context: any StageContext) async throws -> StageResult {
        clock.mark(context.runID, context.stageID, started: true)
        defer { clock.mark(context.runID, context.stageID, started: false) }
        return StageResult(outputs: context.parameters)
    }
}

/// Start and end instants of stage bodies, by run and stage id.
final class StageClock: Sendable {
    private let marks = Mutex([String: (start: ContinuousClock.Instant?, end: ContinuousClock.Instant?)]())

    func mark(_ runID: String, _ stageID: String, started: Bool) {
        let now = ContinuousClock.now
        marks.withLock { marks in
            let key = runID + "/" + stageID
            var entry = marks[key] ?? (nil, nil)
            if started { entry.start = now } else { entry.end = now }
            marks[key] = entry
        }
    }

    /// For a chain `ids` of one run: the gaps between each stage's end and the next one's start.
    func gaps(runID: String, chain ids: [String]) -> [Duration] {
        marks.withLock { marks in
            zip(ids, ids.dropFirst()).compactMap { previous, next in
                guard let end = marks[runID + "/" + previous]?.end, let start = marks[runID + "/" + next]?.start else { return nil }
                return start - end
            }
        }
    }
}
