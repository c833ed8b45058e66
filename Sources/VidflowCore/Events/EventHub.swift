import Synchronization

/// Fans committed events out to this process's subscribers (event streams), by topic.
///
/// The store publishes each event right after the transaction holding it commits, with its stored id,
/// so a subscriber can replay older events from the store and skip the ones it already has. Publishing
/// never waits: each subscriber has a bounded buffer, and one that falls that far behind is ended
/// (it resumes from the store) rather than holding up the publisher or the other subscribers.
///
/// ```swift
/// let subscription = hub.subscribe(to: [.run(id)])   // before reading the store: no gap
/// defer { subscription.cancel() }
/// let replayed = try await store.events(runID: id, after: 0, limit: 500)
/// for await case .event(let event) in subscription.deliveries where event.id > replayed.last?.id ?? 0 { … }
/// ```
public final class EventHub: Sendable {
    private typealias Continuation = AsyncStream<EventSubscription.Delivery>.Continuation

    private struct State {
        var nextSubscriber: UInt64 = 0
        var subscribers: [EventTopic: [UInt64: Continuation]] = [:]
    }

    private let state = Mutex(State())
    /// How many deliveries a subscriber may have waiting before it is dropped.
    public let bufferLimit: Int

    public init(bufferLimit: Int = 1_024) {
        self.bufferLimit = max(1, bufferLimit)
    }

    /// Subscribes to the events of `topics` published from now on.
    public func subscribe(to topics: Set<EventTopic>, bufferLimit: Int? = nil) -> EventSubscription {
        let (stream, continuation) = AsyncStream.makeStream(of: EventSubscription.Delivery.self,
                                                            bufferingPolicy: .bufferingOldest(max(1, bufferLimit ?? self.bufferLimit)))
        let id = state.withLock { state in
            defer { state.nextSubscriber += 1 }
            return state.nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in self?.remove(id, from: topics) }
        state.withLock { state in
            for topic in topics { state.subscribers[topic, default: [:]][id] = continuation }
        }
        return EventSubscription(deliveries: stream, continuation: continuation)
    }

    /// Whether anyone listens to `topic` now (a publisher may skip building events nobody would receive,
    /// provided it asks after the commit: a later subscriber reads the event from the store).
    public func isWatched(_ topic: EventTopic) -> Bool {
        state.withLock { $0.subscribers[topic] != nil }
    }

    /// How many subscriptions are open (a subscription to several topics counts once).
    public var subscriberCount: Int {
        state.withLock { Set($0.subscribers.values.flatMap(\.keys)).count }
    }

    /// Sends committed events, in id order, to the subscribers of each one's run.
    public func publish(_ events: [EventRecord]) {
        for event in events { publish(event, to: [.run(event.runID)]) }
    }

    /// Sends one committed event to the subscribers of `topics` (once to a subscriber of several of them).
    public func publish(_ event: EventRecord, to topics: [EventTopic]) {
        let targets: [UInt64: Continuation] = state.withLock { state in
            var targets: [UInt64: Continuation] = [:]
            for topic in topics {
                guard let subscribers = state.subscribers[topic] else { continue }
                targets.merge(subscribers) { first, _ in first }
            }
            return targets
        }
        // Outside the lock: finishing a stream runs its `onTermination`, which takes the lock.
        for continuation in targets.values {
            if case .dropped = continuation.yield(.event(event)) { continuation.finish() }
        }
    }

    private func remove(_ id: UInt64, from topics: Set<EventTopic>) {
        state.withLock { state in
            for topic in topics {
                state.subscribers[topic]?[id] = nil
                if state.subscribers[topic]?.isEmpty == true { state.subscribers[topic] = nil }
            }
        }
    }
}
