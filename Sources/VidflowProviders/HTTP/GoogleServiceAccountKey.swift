import Foundation
import JWTKit
import VidflowCore

/// A Google service-account key file (what `GOOGLE_APPLICATION_CREDENTIALS` names): the account's email,
/// its RSA private key, the token endpoint and the project. A file that cannot be used is one `auth`
/// error naming the file and the field at fault, never its contents.
///
/// ```swift
/// let key = try GoogleServiceAccountKey.load(path: "/etc/vidflow/vertex-sa.json", provider: "vertex")
/// key.clientEmail   // "vidflow@my-project.iam.gserviceaccount.com"
/// ```
struct GoogleServiceAccountKey: Sendable {
    static let defaultTokenURI = "https://oauth2.googleapis.com/token"

    var clientEmail: String
    var privateKey: Insecure.RSA.PrivateKey
    /// `private_key_id`, sent as the JWT's `kid`.
    var privateKeyID: String?
    var tokenURI: String
    var projectID: String?

    /// Reads and checks the key file at `path`.
    static func load(path: String, provider: String) throws(ProviderError) -> GoogleServiceAccountKey {
        func refuse(_ problem: String) -> ProviderError {
            ProviderError(provider: provider, operation: "load credentials", kind: .auth,
                          message: "service-account key file \(path): \(problem)", jobCertainlyNotCreated: true)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw refuse("cannot be read (missing, or not readable by this process)")
        }
        guard let json = try? JSONValue.parse(String(decoding: data, as: UTF8.self)), json.objectValue != nil else {
            throw refuse("is not a JSON object")
        }
        if let type = json["type"]?.stringValue, type != "service_account" {
            throw refuse("is a '\(type)' credential, not a service-account key; create a key for a service account "
                         + "(IAM → Service accounts → Keys) or set VIDFLOW_VERTEX_ACCESS_TOKEN")
        }
        guard let email = json["client_email"]?.stringValue, !email.isEmpty else { throw refuse("has no client_email") }
        guard let pem = json["private_key"]?.stringValue, !pem.isEmpty else { throw refuse("has no private_key") }
        // The PEM is registered before parsing, so no later message can carry it.
        SecretScrubber.register([pem])
        let privateKey: Insecure.RSA.PrivateKey
        do {
            privateKey = try Insecure.RSA.PrivateKey(pem: pem)
        } catch {
            throw refuse("private_key is not a PEM RSA private key of 2048 bits or more")
        }
        let tokenURI = json["token_uri"]?.stringValue ?? defaultTokenURI
        guard let url = URL(string: tokenURI), ["https", "http"].contains(url.scheme?.lowercased() ?? "") else {
            throw refuse("token_uri is not an http(s) URL")
        }
        return GoogleServiceAccountKey(clientEmail: email, privateKey: privateKey,
                                       privateKeyID: json["private_key_id"]?.stringValue, tokenURI: tokenURI,
                                       projectID: json["project_id"]?.stringValue)
    }
}
