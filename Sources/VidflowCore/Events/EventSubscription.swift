/// One subscriber's view of an `EventHub`: the events of its topics, in the order they were committed.
///
/// The stream ends when the subscriber cancels it, or when the hub drops a subscriber that fell more
/// than its buffer behind; either way the subscriber resumes from the store after the last id it saw.
///
/// ```swift
/// let subscription = hub.subscribe(to: [.run(id)])
/// defer { subscription.cancel() }
/// for await case .event(let event) in subscription.deliveries { print(event.id) }
/// ```
public struct EventSubscription: Sendable {
    /// What a subscriber receives.
    public enum Delivery: Sendable {
        /// A committed event, with its stored id.
        case event(EventRecord)
        /// No event: the subscriber's own timer (`wake()`), for keep-alives and store polls.
        case wake
    }

    public let deliveries: AsyncStream<Delivery>
    let continuation: AsyncStream<Delivery>.Continuation

    /// Wakes the subscriber's loop without an event; dropped when its buffer is full (it is awake then anyway).
    public func wake() {
        continuation.yield(.wake)
    }

    /// Ends the subscription: the hub forgets it, and `deliveries` ends after what it buffered.
    public func cancel() {
        continuation.finish()
    }
}
