import VidflowCore

/// Where one event stream stands: the last event id its client got for each run, and the runs whose
/// `done` it got. Decides which events are still to send, so a replay and the pushed events can overlap
/// without the client seeing one twice.
struct StreamCursor {
    let runIDs: [String]
    private var last: [String: Int64]
    private var done: Set<String> = []

    /// A stream of `runIDs` whose client has everything up to `after` (its `Last-Event-ID`, or 0).
    init(runIDs: [String], after: Int64) {
        self.runIDs = runIDs
        last = Dictionary(runIDs.map { ($0, after) }, uniquingKeysWith: { first, _ in first })
    }

    /// The runs whose `done` the client has not got yet.
    var open: [String] { runIDs.filter { !done.contains($0) } }

    var isFinished: Bool { open.isEmpty }

    /// The id after which the store holds every event of `runs` the client lacks.
    func floor(of runs: [String]) -> Int64 {
        runs.compactMap { last[$0] }.min() ?? 0
    }

    /// Whether the client lacks `event`.
    func lacks(_ event: EventRecord) -> Bool {
        guard let seen = last[event.runID], !done.contains(event.runID) else { return false }
        return event.id > seen
    }

    /// Notes that the client got `event`.
    mutating func sent(_ event: EventRecord) {
        last[event.runID] = event.id
        if event.kind == .done { done.insert(event.runID) }
    }

    /// Ends a run that is over without a `done` event the client could get.
    mutating func close(_ runID: String) {
        done.insert(runID)
    }
}
