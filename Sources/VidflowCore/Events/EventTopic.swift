/// What an `EventHub` subscriber listens to.
///
/// One run's events today. Batches and users become further cases when their publisher names them at
/// commit (`EventHub.publish(_:to:)` takes the topics of each event), so one stream can follow a batch or
/// everything of one user without a subscription per run.
public enum EventTopic: Hashable, Sendable {
    /// The events of one run.
    case run(String)
}
