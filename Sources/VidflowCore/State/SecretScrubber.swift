import Foundation
import Synchronization

/// Removes secrets from text before it is stored, streamed or shown: every secret the process was
/// configured with (provider API keys, Kling secret keys, webhook secrets — registered when they are
/// loaded), and anything shaped like one (`Bearer …`, `sk-…`, `key_…`, `whsec_…`, a long token after
/// `key`/`token`/`secret`/`password`). Provider error text goes through it where the error is made,
/// and the engine scrubs every stage error and log line once more before writing it.
///
/// ```swift
/// SecretScrubber.register(["sk-live-123456789"])
/// SecretScrubber.scrub("Incorrect API key provided: Bearer sk-live-123456789")
/// // "Incorrect API key provided: Bearer [redacted]"
/// ```
public enum SecretScrubber {
    /// What replaces a secret.
    public static let mask = "[redacted]"
    /// Registered secrets shorter than this are not matched as plain text: real keys are 20+ characters,
    /// and short placeholders (fal's JWKS client holds "public") would scrub ordinary words.
    static let minimumLength = 12

    private static let known = Mutex<Set<String>>([])

    /// Adds configured secrets to the set scrubbed from all text of this process.
    public static func register<S: Sequence>(_ secrets: S) where S.Element == String {
        let cleaned = secrets.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { $0.count >= minimumLength }
        guard !cleaned.isEmpty else { return }
        known.withLock { $0.formUnion(cleaned) }
    }

    /// `text` with every registered secret and every secret-shaped token replaced by `[redacted]`.
    public static func scrub(_ text: String) -> String {
        var result = text
        // Longest first, so a key that contains another is removed whole.
        for secret in known.withLock({ $0 }).sorted(by: { $0.count > $1.count }) where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: mask)
        }
        for (pattern, template) in patterns {
            guard let expression = try? NSRegularExpression(pattern: pattern) else { continue }
            let range = NSRange(result.startIndex..., in: result)
            result = expression.stringByReplacingMatches(in: result, range: range, withTemplate: template)
        }
        return result
    }

    /// A failure with its message scrubbed.
    public static func scrub(_ failure: StageFailure) -> StageFailure {
        var copy = failure
        copy.message = scrub(failure.message)
        return copy
    }

    /// Secret shapes and what replaces them (`$1` keeps the label before a value).
    static let patterns: [(String, String)] = [
        // Authorization header values: `Bearer abc…`, `Basic abc…`.
        (#"(?i)\b(bearer|basic)(\s+)(?!\[redacted\])[A-Za-z0-9._~+/=\-]{8,}"#, "$1$2" + mask),
        // Well-known key prefixes: OpenAI `sk-…`/`sk-proj-…`, Runway `key_…`, Standard Webhooks `whsec_…`,
        // Replicate `r8_…`, Google `AIza…`.
        (#"\b(sk-[A-Za-z0-9_\-*.]{6,}|key_[A-Za-z0-9_\-]{8,}|whsec_[A-Za-z0-9+/=_\-]{8,}|r8_[A-Za-z0-9]{8,}|AIza[A-Za-z0-9_\-]{20,})"#, mask),
        // `api_key=…`, `"token": "…"`, `secret: …`, `password=…`: long values after a secret-like label.
        (#"(?i)\b([a-z_\-]*(?:api[_\-]?key|apikey|token|secret|password|passwd|authorization|signature)["']?\s*[:=]\s*["']?)(?!\[redacted\])[A-Za-z0-9._~+/=\-]{12,}"#,
         "$1" + mask),
        // PEM private keys (a Google service-account key file's `private_key`), whole.
        (#"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"#, mask),
        // Google OAuth access tokens (`ya29.…`).
        (#"\bya29\.[A-Za-z0-9._\-]{10,}"#, mask),
        // A bare token (16+ characters with a digit) right after "key", "token" or "secret".
        (#"(?i)\b(key|token|secret)(\s+)(?=[A-Za-z0-9+/=_\-]*[0-9])[A-Za-z0-9+/=_\-]{16,}"#, "$1$2" + mask),
    ]
}
