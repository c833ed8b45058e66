import Foundation
import Synchronization
import VidflowCore

/// A provider's API keys, handed out round-robin; a key the provider refused (401/403, quota) is
/// benched for a while so the others carry the load. Shared by every run of the process.
///
/// ```swift
/// let keys = APIKeyPool("sk-a,sk-b")   // comma-separated, as in OPENAI_API_KEY
/// let key = keys.next()                // sk-a, then sk-b, ...
/// keys.bench(key, for: 300)            // refused: skip it for five minutes
/// ```
public final class APIKeyPool: Sendable {
    private let state: Mutex<(keys: [String], next: Int, benchedUntil: [String: Date])>

    public init(_ keys: [String]) {
        state = Mutex((Self.clean(keys), 0, [:]))
        SecretScrubber.register(keys)
    }

    /// The keys in rotation order.
    public var keys: [String] { state.withLock { $0.keys } }

    /// Replaces the keys (a config change); benches of keys kept stay in force.
    public func replace(_ keys: [String]) {
        SecretScrubber.register(keys)
        state.withLock { state in
            state.keys = Self.clean(keys)
            state.next = 0
        }
    }

    private static func clean(_ keys: [String]) -> [String] {
        keys.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    /// Keys from a comma-separated list.
    public convenience init(_ list: String) {
        self.init(list.split(separator: ",").map(String.init))
    }

    public var isEmpty: Bool { keys.isEmpty }

    /// The next key not benched; when all are benched, the one whose bench ends first.
    public func next(now: Date = Date()) -> String? {
        state.withLock { state in
            let keys = state.keys
            guard !keys.isEmpty else { return nil }
            for offset in 0..<keys.count {
                let index = (state.next + offset) % keys.count
                if (state.benchedUntil[keys[index]] ?? .distantPast) <= now {
                    state.next = index + 1
                    return keys[index]
                }
            }
            return keys.min { (state.benchedUntil[$0] ?? .distantPast) < (state.benchedUntil[$1] ?? .distantPast) }
        }
    }

    /// The key `next` would hand out, without moving the rotation (for headers built on every poll).
    public func peek(now: Date = Date()) -> String? {
        state.withLock { state in
            let keys = state.keys
            guard !keys.isEmpty else { return nil }
            for offset in 0..<keys.count {
                let key = keys[(state.next + offset) % keys.count]
                if (state.benchedUntil[key] ?? .distantPast) <= now { return key }
            }
            return keys.min { (state.benchedUntil[$0] ?? .distantPast) < (state.benchedUntil[$1] ?? .distantPast) }
        }
    }

    /// Keeps `key` out of rotation for `seconds`.
    public func bench(_ key: String, for seconds: TimeInterval, now: Date = Date()) {
        state.withLock { $0.benchedUntil[key] = now.addingTimeInterval(seconds) }
    }

    /// How many keys are usable now.
    public func availableCount(now: Date = Date()) -> Int {
        state.withLock { state in state.keys.filter { (state.benchedUntil[$0] ?? .distantPast) <= now }.count }
    }

    /// `sk-****x4KR`: enough to tell keys apart, never enough to use one.
    public static func mask(_ key: String) -> String {
        guard key.count > 8 else { return "****" }
        let prefix = key.hasPrefix("sk-") ? "sk-" : String(key.prefix(2))
        return prefix + "****" + key.suffix(4)
    }
}
