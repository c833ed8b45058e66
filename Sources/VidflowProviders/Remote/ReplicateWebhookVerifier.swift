import Crypto
import Foundation
import VidflowCore

/// Verifies Replicate webhooks the Standard Webhooks way: HMAC-SHA256 over `webhook-id.webhook-timestamp.body`
/// keyed with the base64 secret after its `whsec_` prefix, compared in constant time with every `v1,<base64>`
/// entry of `webhook-signature`, within a timestamp tolerance.
///
/// ```swift
/// try ReplicateWebhookVerifier.verify(delivery, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
/// ```
enum ReplicateWebhookVerifier {
    static func verify(_ delivery: ProviderCallbackDelivery, secret: String, tolerance: TimeInterval = 300) throws(ProviderError) {
        func reject(_ message: String) -> ProviderError {
            ProviderError(provider: "replicate", operation: "verify callback", kind: .auth, message: message)
        }
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst("whsec_".count)) : secret
        guard let keyData = Data(base64Encoded: encoded), !keyData.isEmpty else {
            throw reject("the webhook secret is not a whsec_<base64> key")
        }
        guard let id = delivery.headers["webhook-id"], let timestamp = delivery.headers["webhook-timestamp"],
              let header = delivery.headers["webhook-signature"] else {
            throw reject("missing webhook-id / webhook-timestamp / webhook-signature headers")
        }
        guard let seconds = Double(timestamp), abs(delivery.receivedAt.timeIntervalSince1970 - seconds) <= tolerance else {
            throw reject("webhook timestamp \(timestamp) is more than \(Int(tolerance)) s from now")
        }
        var signed = Data("\(id).\(timestamp).".utf8)
        signed.append(delivery.body)
        let key = SymmetricKey(data: keyData)
        for entry in header.split(separator: " ") {
            let parts = entry.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1", let signature = Data(base64Encoded: String(parts[1])) else { continue }
            if HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signed, using: key) { return }
        }
        var mismatch = reject("webhook signature does not match")
        mismatch.freshKeysMayHelp = true   // the account's secret may have been rotated
        throw mismatch
    }
}
