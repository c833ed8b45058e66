import ArgumentParser
import Foundation
import VidflowCore

/// `vidflow logs RUN_ID`: a run's event log in order; `--follow` keeps printing until the run ends.
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print a run's event log (status changes, progress, log messages) in order.",
        discussion: "With --json, one JSON object per event and line. With --follow, a run whose process died "
            + "is continued by this one, so the log reaches its end.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The run id.")
    var runID: String

    @Flag(name: .shortAndLong, help: "Keep printing new events until the run ends.")
    var follow = false

    func run() async throws {
        try await CLIFailure.guarding {
            try await Workspace.session(global) { workspace in
                guard let run = try await workspace.store.run(runID) else {
                    throw CLIFailure.badInput("no run with id '\(runID)' in \(workspace.directory)")
                }
                var display = global.json
                    ? EventLogView { event in Console.line(Self.json(event)) }
                    : EventLogView.lines(stageWidth: EventFormatter.stageWidth(run.definition.stages.map(\.id)))
                let follower = RunFollower(store: workspace.store, runID: runID)
                var last: Int64 = 0
                display.update(events: try await follower.drain(after: &last), stages: [], now: Date())
                guard follow, !run.status.isTerminal else { return 0 }
                try await workspace.recover()
                try await follower.follow(&display, after: last)
                return 0
            }
        }
    }

    /// One event as a single line of JSON.
    static func json(_ event: EventRecord) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let value: JSONValue = ["id": .int(Int(event.id)), "run_id": .string(event.runID),
                                "stage": event.stageID.map(JSONValue.string) ?? .null, "kind": .string(event.kind.rawValue),
                                "data": event.data, "at": RunJSON.time(event.at)]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
