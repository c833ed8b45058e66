import Foundation
import VidflowCore

/// Shows a run while it executes; `RunFollower` feeds it what it polls from the store.
protocol RunDisplay {
    /// Whether `update` needs the stage rows (they cost a query per tick).
    var needsStages: Bool { get }
    /// New events since the last call (in id order) and, when asked for, every stage row.
    mutating func update(events: [EventRecord], stages: [StageRecord], now: Date)
    /// The run is terminal: draw the last state and leave the terminal clean.
    mutating func finish(stages: [StageRecord], now: Date)
}
