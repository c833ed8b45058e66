import Foundation
import Hummingbird
import ServiceLifecycle
import VidflowCore
import VidflowEngine
import VidflowStore

/// One SSE connection: replays its runs' events from the store, then forwards those this process
/// pushes (`SQLiteWorkflowStore.eventHub`), in id order, without gaps or repeats, until each run's `done`.
///
/// It subscribes before reading the store, so an event committed meanwhile is either read or pushed,
/// and skips pushed events it already sent. Events of runs this process does not execute (another
/// process runs them, or a CLI wrote them) are not pushed: while the stream has such runs it reads the
/// store every `backstopInterval`. A subscriber that falls a whole buffer behind is dropped by the hub;
/// the session then catches up from the store and subscribes again, unseen by the client.
struct EventStreamSession {
    let runIDs: [String]
    let store: SQLiteWorkflowStore
    let engine: Engine
    /// How often the store is read for runs another process executes.
    let backstopInterval: Duration
    /// How many pushed events may wait for the client before the hub drops the subscription.
    let bufferLimit: Int
    /// The longest silence before a `: keep-alive` comment.
    var keepAliveInterval: Duration = .seconds(15)
    static let pageSize = 500

    func run(after: Int64, writer: inout any ResponseBodyWriter) async throws {
        try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
        var cursor = StreamCursor(runIDs: runIDs, after: after)
        var lastWrite = ContinuousClock.now
        // Ends on graceful shutdown too, so an open stream never holds the server up; clients resume.
        while !cursor.isFinished, !Task.isShuttingDownGracefully {
            try Task.checkCancellation()
            let subscription = store.eventHub.subscribe(to: Set(cursor.open.map(EventTopic.run)), bufferLimit: bufferLimit)
            defer { subscription.cancel() }
            try await catchUp(before: nil, &cursor, &writer, &lastWrite)
            if try await closeIfTerminal(&cursor, &writer, &lastWrite) { break }
            try await forward(subscription, &cursor, &writer, &lastWrite)
        }
        try await writer.finish(nil)
    }

    /// Sends pushed events until the subscription ends (dropped for lagging, cancelled, shutting down)
    /// or every run is done; reads the store meanwhile while some run is executed elsewhere.
    private func forward(_ subscription: EventSubscription, _ cursor: inout StreamCursor,
                         _ writer: inout any ResponseBodyWriter, _ lastWrite: inout ContinuousClock.Instant) async throws {
        var elsewhere = await executedElsewhere(cursor.open)
        var ticker = Self.ticker(subscription, every: tickInterval(polling: !elsewhere.isEmpty))
        defer { ticker.cancel() }
        var lastTerminalCheck = ContinuousClock.now
        try await withTaskCancellationOrGracefulShutdownHandler {
            for await delivery in subscription.deliveries {
                switch delivery {
                case .event(let event):
                    guard cursor.lacks(event) else { continue }
                    // Older events of runs executed elsewhere go first, so ids reach the client in order.
                    if !elsewhere.isEmpty { try await catchUp(before: event.id, &cursor, &writer, &lastWrite) }
                    guard cursor.lacks(event) else { continue }
                    try await send(event, &cursor, &writer, &lastWrite)
                case .wake:
                    let polling = !elsewhere.isEmpty
                    elsewhere = await executedElsewhere(cursor.open)
                    if polling != !elsewhere.isEmpty {
                        ticker.cancel()
                        ticker = Self.ticker(subscription, every: tickInterval(polling: !elsewhere.isEmpty))
                    }
                    if !elsewhere.isEmpty {
                        try await catchUp(before: nil, &cursor, &writer, &lastWrite)
                        if ContinuousClock.now - lastTerminalCheck >= keepAliveInterval {
                            lastTerminalCheck = ContinuousClock.now
                            if try await closeIfTerminal(&cursor, &writer, &lastWrite) { return }
                        }
                    }
                    if ContinuousClock.now - lastWrite >= keepAliveInterval {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        lastWrite = ContinuousClock.now
                    }
                }
                if cursor.isFinished { return }
            }
        } onCancelOrGracefulShutdown: {
            subscription.cancel()
        }
    }

    /// Sends what the store holds that the client lacks, in id order (before `bound` when given).
    private func catchUp(before bound: Int64?, _ cursor: inout StreamCursor, _ writer: inout any ResponseBodyWriter,
                         _ lastWrite: inout ContinuousClock.Instant) async throws {
        let runs = cursor.open
        var after = cursor.floor(of: runs)
        while !runs.isEmpty {
            let page = try await store.events(runIDs: runs, after: after, limit: Self.pageSize)
            for event in page {
                if let bound, event.id >= bound { return }
                after = event.id
                if cursor.lacks(event) { try await send(event, &cursor, &writer, &lastWrite) }
            }
            if page.count < Self.pageSize { return }
        }
    }

    /// When every open run is terminal in the store (its last events committed with that status), sends
    /// what is left and closes them: a run that ended without a `done` event must not hold the stream open.
    private func closeIfTerminal(_ cursor: inout StreamCursor, _ writer: inout any ResponseBodyWriter,
                                 _ lastWrite: inout ContinuousClock.Instant) async throws -> Bool {
        let open = cursor.open
        for id in open {
            guard let run = try await store.run(id), run.status.isTerminal else { return false }
        }
        try await catchUp(before: nil, &cursor, &writer, &lastWrite)
        for id in open { cursor.close(id) }
        return true
    }

    private func send(_ event: EventRecord, _ cursor: inout StreamCursor, _ writer: inout any ResponseBodyWriter,
                      _ lastWrite: inout ContinuousClock.Instant) async throws {
        try await writer.write(ByteBuffer(string: EventStreamController.frame(event)))
        cursor.sent(event)
        lastWrite = ContinuousClock.now
    }

    /// The runs among `runIDs` this process's engine is not executing: their events are not pushed here.
    private func executedElsewhere(_ runIDs: [String]) async -> Set<String> {
        Set(runIDs).subtracting(await engine.executing(runIDs))
    }

    /// Wakes: at the backstop interval while polling the store, else often enough for keep-alives
    /// (and to notice, within seconds, a run this engine stopped executing without its `done`).
    private func tickInterval(polling: Bool) -> Duration {
        polling ? backstopInterval : keepAliveInterval / 3
    }

    private static func ticker(_ subscription: EventSubscription, every interval: Duration) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                subscription.wake()
            }
        }
    }
}
