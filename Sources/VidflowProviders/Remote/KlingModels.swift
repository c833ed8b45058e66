import Foundation
import JWTKit
import Synchronization
import VidflowCore

/// Kling's per-model limits and the pure mapping between vidflow's unified request and status and
/// Kling's legacy `/v1/videos/{text2video|image2video}` shapes, its `{code, message, request_id, data}`
/// envelope and its error codes.
enum KlingModels {
    /// What one Kling model accepts (legacy endpoints).
    struct Model: Sendable {
        var id: String
        var seconds: [Int] = [5, 10]
        /// `image_tail` (a last frame); which models take it is unconfirmed beyond the v1.x/v2.5+ docs.
        var lastFrame = true
        /// `sound: on|off` (v2.6 and later, pro mode).
        var audio = false
    }

    static let table: [Model] = [
        Model(id: "kling-v2-6", audio: true),
        Model(id: "kling-v3", seconds: Array(3...15), audio: true),
        Model(id: "kling-v2-5-turbo"),
        Model(id: "kling-v2-1-master", lastFrame: false),
        Model(id: "kling-v2-master", lastFrame: false),
        Model(id: "kling-v1-6"),
        Model(id: "kling-v1"),
    ]

    /// The two legacy create endpoints; a job id is `<endpoint>:<task_id>` so status reads the right one.
    static let endpoints = ["text2video", "image2video"]

    static func model(_ id: String?) -> Model? {
        guard let id else { return table.first }
        return table.first { $0.id == id }
    }

    static func capabilities(_ model: Model) -> ProviderCapabilities {
        ProviderCapabilities(
            models: [model.id] + table.map(\.id).filter { $0 != model.id },
            allowedSeconds: model.seconds.map(Double.init),
            secondsRange: Double(model.seconds.min() ?? 5)...Double(model.seconds.max() ?? 10), defaultSeconds: 5,
            aspectRatios: ["16:9", "9:16", "1:1"], resolutions: ["720p", "1080p"], imageInput: true,
            lastFrame: model.lastFrame, audio: model.audio, negativePrompt: true, extraBody: true, maxPromptLength: 2500,
            // `watermark_info {enabled}` on every legacy create. One task makes one video (num_outputs: fan out);
            // multi-image2video, elements and video-extend are other endpoints, not mapped here.
            watermark: true)
    }

    // MARK: Request

    /// The create call for `request`: endpoint (`text2video` or `image2video`) and JSON body.
    /// `external_task_id` is the idempotency key, so `lookup` can find the task after a lost answer.
    /// Images go as raw base64 without a `data:` prefix, as Kling asks.
    static func create(_ request: VideoRequest, idempotencyKey: String, callbackURL: String?,
                       provider: String) throws(ProviderError) -> (endpoint: String, body: JSONValue) {
        guard let model = model(request.model) else {
            throw ProviderError(provider: provider, operation: "submit", kind: .invalidInput,
                                message: "unknown Kling model '\(request.model ?? "")'", jobCertainlyNotCreated: true)
        }
        let endpoint = request.image == nil ? "text2video" : "image2video"
        var body: [String: JSONValue] = ["model_name": .string(model.id), "external_task_id": .string(idempotencyKey)]
        if !request.prompt.isEmpty { body["prompt"] = .string(request.prompt) }
        if let negative = request.negativePrompt { body["negative_prompt"] = .string(negative) }
        if let seconds = request.seconds { body["duration"] = .string(String(Int(seconds.rounded()))) }
        switch request.resolution?.lowercased() {
        case "1080p"?: body["mode"] = "pro"
        case "720p"?: body["mode"] = "std"
        default: break
        }
        if model.audio, let audio = request.generateAudio {
            body["sound"] = audio ? "on" : "off"
            // Sound is generated in pro mode only.
            if audio, body["mode"] == nil { body["mode"] = "pro" }
        }
        if let imagePath = request.image {
            body["image"] = .string(try base64(imagePath, field: "image", provider: provider))
            if let last = request.lastFrame { body["image_tail"] = .string(try base64(last, field: "last_frame", provider: provider)) }
        } else if let ratio = request.aspectRatio {
            body["aspect_ratio"] = .string(ratio)
        }
        // Kling then makes a watermarked copy beside the clean one (`watermark_url`); `status` returns it.
        if let watermark = request.watermark { body["watermark_info"] = ["enabled": .bool(watermark)] }
        if let callbackURL {
            body["callback_url"] = .string(callbackURL + (callbackURL.contains("?") ? "&" : "?") + "kind=" + endpoint)
        }
        for (key, value) in request.extraBody ?? [:] { body[key] = value }
        return (endpoint, .object(body))
    }

    private static func base64(_ path: String, field: String, provider: String) throws(ProviderError) -> String {
        let media = try MediaInput.read(path, provider: provider, field: field)
        guard media.data.count <= 10 << 20 else {
            throw ProviderError(provider: provider, operation: "read \(field)", kind: .invalidInput,
                                message: "\(field) is larger than Kling's 10 MB limit", jobCertainlyNotCreated: true)
        }
        return media.base64
    }

    // MARK: Job ids

    static func jobID(endpoint: String, taskID: String) -> String { endpoint + ":" + taskID }

    /// Endpoint and Kling task id of a vidflow job id; a bare id is read as a text2video task.
    static func parse(_ jobID: String) -> (endpoint: String, taskID: String) {
        if let colon = jobID.firstIndex(of: ":"), endpoints.contains(String(jobID[..<colon])) {
            return (String(jobID[..<colon]), String(jobID[jobID.index(after: colon)...]))
        }
        return ("text2video", jobID)
    }

    // MARK: Status

    /// Words in `task_status_msg` that mean Kling's content review refused the task.
    static let safetyWords = ["risk", "sensitive", "safety", "security", "violat", "inappropriate", "policy"]

    /// The unified status of a task `data` object (as the query answer and callbacks carry it).
    static func status(of data: JSONValue, pollAfterMs: Int) -> VideoJobStatus? {
        let cost = data["final_unit_deduction"].flatMap { $0.isNull ? nil : $0 }
        switch data["task_status"]?.stringValue {
        case "submitted"?:
            return VideoJobStatus(state: .queued, pollAfterMs: pollAfterMs, cost: cost)
        case "processing"?:
            return VideoJobStatus(state: .running, pollAfterMs: pollAfterMs, cost: cost)
        case "succeed"?, "succeeded"?:
            // `watermark_url` exists only when the create asked for `watermark_info.enabled`: that is the video
            // asked for then; `url` is the clean copy.
            let video = data["task_result"]?["videos"]?.arrayValue?.first
            let marked = video?["watermark_url"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
            let url = marked ?? video?["url"]?.stringValue
            return VideoJobStatus(state: .succeeded, progress: 100, result: url.map { ResultLocation(url: $0) }, cost: cost)
        case "failed"?:
            let reason = data["task_status_msg"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "the task failed"
            let lowered = reason.lowercased()
            let refused = safetyWords.contains { lowered.contains($0) }
            return VideoJobStatus(state: .failed, errorMessage: reason, errorKind: refused ? .rejectedContent : .providerFailed,
                                  cost: cost)
        default:
            return nil
        }
    }

    // MARK: Errors

    /// How a Kling error `code` is treated (General Information page): 1000–1004 and 1103 refuse the
    /// key; 1100–1102 (account problem, arrears, resource pack exhausted) bench it so another account's
    /// key is used; 1302/1303 (rate, parallel tasks over the pack's limit) are retried; 1300/1301 are
    /// content policy refusals; 5000–5002 are server trouble.
    static func verdict(code: Int, message: String) -> ProviderHTTPClient.Verdict? {
        let text = "\(message.isEmpty ? "Kling error" : message) (code \(code))"
        switch code {
        case 1000...1004, 1103: return .init(kind: .auth, message: text, benchKey: true)
        case 1100...1102: return .init(kind: .auth, message: text + ": account or balance problem", benchKey: true)
        case 1304: return .init(kind: .auth, message: text + ": IP allow-list")
        case 1200, 1201: return .init(kind: .invalidInput, message: text)
        case 1202, 1203: return .init(kind: .providerFailed, message: text)
        case 1300, 1301: return .init(kind: .rejectedContent, message: text)
        case 1302, 1303: return .init(kind: .rateLimited, message: text)
        case 5000...5099: return .init(kind: .transient, message: text)
        default: return nil
        }
    }

    // MARK: Auth

    /// The claims of a Kling API token: `iss` = access key, `exp` = now + 30 min, `nbf` = now − 5 s.
    struct TokenClaims: JWTPayload {
        var iss: IssuerClaim
        var exp: ExpirationClaim
        var nbf: NotBeforeClaim

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
            try nbf.verifyNotBefore()
        }
    }

    /// A Kling API token: a JWT (HS256) with `TokenClaims`, signed with the secret key by jwt-kit.
    static func jwt(accessKey: String, secretKey: String, now: Date = Date()) async throws -> String {
        let seconds = now.timeIntervalSince1970.rounded(.down)
        let claims = TokenClaims(iss: IssuerClaim(value: accessKey),
                                 exp: ExpirationClaim(value: Date(timeIntervalSince1970: seconds + 1800)),
                                 nbf: NotBeforeClaim(value: Date(timeIntervalSince1970: seconds - 5)))
        let keys = JWTKeyCollection()
        await keys.add(hmac: hmacKey(secretKey), digestAlgorithm: .sha256, serializer: JWTIntegerSeconds.serializer)
        return try await keys.sign(claims)
    }

    /// The secret as an HMAC key. jwt-kit asserts (in debug builds) that an HS256 key has at least 32 bytes;
    /// a shorter secret is padded with zero bytes to 32, which HMAC does itself (RFC 2104 pads every key
    /// to the 64-byte block), so the signature is the one the secret alone makes.
    static func hmacKey(_ secret: String) -> HMACKey {
        var bytes = Array(secret.utf8)
        if bytes.count < 32 { bytes += Array(repeating: 0, count: 32 - bytes.count) }
        return HMACKey(from: bytes)
    }

    /// Kling tokens for every access key that has a secret, signed afresh by `refresh` before each request
    /// (jwt-kit signs asynchronously) and read synchronously by `ProviderHTTPClient`'s auth hook.
    final class Tokens: Sendable {
        private let secrets: [String: String]
        private let signed = Mutex<[String: String]>([:])

        init(secrets: [String: String]) {
            self.secrets = secrets
        }

        /// Signs a fresh token for every access key; a failure is an `auth` error that created nothing.
        func refresh(provider: String, operation: String) async throws(ProviderError) {
            var fresh: [String: String] = [:]
            for (access, secret) in secrets {
                do {
                    fresh[access] = try await KlingModels.jwt(accessKey: access, secretKey: secret)
                } catch {
                    throw ProviderError(provider: provider, operation: operation, kind: .auth,
                                        message: "cannot sign the token of access key \(APIKeyPool.mask(access)): \(error)",
                                        jobCertainlyNotCreated: true)
                }
            }
            signed.withLock { $0.merge(fresh) { _, new in new } }
        }

        /// The last token signed for `accessKey`.
        func token(for accessKey: String) -> String? { signed.withLock { $0[accessKey] } }
    }
}
