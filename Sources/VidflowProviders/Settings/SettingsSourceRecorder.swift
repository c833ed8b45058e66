import Configuration
import Synchronization

/// Remembers, for each key read through a `ConfigReader`, which provider answered: the index of the first
/// provider that returned a value (providers are asked in order until one does), or that a provider
/// failed (a value that does not convert, such as `VIDFLOW_PORT=eighty`).
final class SettingsSourceRecorder: AccessReporter {
    /// What the last read of a key found.
    struct Answer: Sendable {
        /// Index into the reader's providers; nil when none had a value.
        var providerIndex: Int?
        /// A provider had a value of the wrong type, or the value did not convert.
        var failed: Bool
        /// Index of the provider whose value was of the wrong type, when one was.
        var failedIndex: Int?
    }

    private let answers = Mutex<[String: Answer]>([:])

    func report(_ event: AccessEvent) {
        var answer = Answer(providerIndex: nil, failed: event.conversionError != nil)
        for (index, result) in event.providerResults.enumerated() {
            if case .success(let lookup) = result.result, lookup.value != nil {
                answer.providerIndex = index
                break
            }
            if case .failure = result.result {
                answer.failed = true
                answer.failedIndex = index
                break
            }
        }
        let key = event.metadata.key.components.joined(separator: ".")
        answers.withLock { $0[key] = answer }
    }

    func answer(for key: String) -> Answer? {
        answers.withLock { $0[key] }
    }
}
