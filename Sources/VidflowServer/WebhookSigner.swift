import Crypto
import Foundation

/// Signs webhook messages per Standard Webhooks: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`.
public struct WebhookSigner: Sendable {
    /// The secret as shared with receivers: `whsec_` + base64 key.
    public let secret: String
    private let keyData: Data

    public init(secret: String) {
        self.secret = secret
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        keyData = Data(base64Encoded: encoded) ?? Data(secret.utf8)
    }

    /// The `webhook-signature` header value.
    public func signature(id: String, timestamp: Int, body: Data) -> String {
        var content = Data("\(id).\(timestamp).".utf8)
        content.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: keyData))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// Whether any `v1,` signature in `header` matches.
    public func verify(id: String, timestamp: Int, body: Data, header: String) -> Bool {
        let expected = signature(id: id, timestamp: timestamp, body: body)
        return header.split(separator: " ").contains { $0 == expected }
    }

    /// The secret given, else the one in `<data>/webhook-secret`, created (mode 0600) when missing.
    static func secret(given: String?, dataDirectory: String) throws -> String {
        if let given, !given.isEmpty { return given }
        let path = dataDirectory + "/webhook-secret"
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { return trimmed }
        }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let secret = "whsec_" + Data(bytes).base64EncodedString()
        guard FileManager.default.createFile(atPath: path, contents: Data((secret + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw ServerStartError(description: "cannot write the webhook secret to '\(path)'")
        }
        return secret
    }
}
