import Crypto
import Foundation
import Synchronization
import VidflowCore

/// A fake fal.ai queue (`queue.fal.run`) on 127.0.0.1 serving Pika v2.2: `POST /{endpoint_id}` (optional
/// `fal_webhook`), `GET /{app}/requests/{id}/status`, `GET /{app}/requests/{id}` (result), `PUT …/cancel`
/// (status/result/cancel under the app id or the full endpoint path), `Authorization: Key …`, Pika's input
/// validation (422 `{detail: [{loc, msg, type}]}`), IN_QUEUE → IN_PROGRESS → COMPLETED over `pollsToFinish`
/// polls, failures as COMPLETED + `error`/`error_type`; plus fal's public JWKS and a media file, and
/// webhook deliveries signed with its own ED25519 key.
final class FakeFalServer: Sendable {
    struct Job: Sendable {
        var requestID: String
        var endpoint: String
        var input: [String: JSONValue]
        var webhook: String?
        var polls = 0
        var cancelled = false
    }

    struct Script: Sendable {
        /// Answers for the next submits, before the normal one (e.g. a 429, then a 500).
        var createFailures: [FakeResponse] = []
        /// Answers for the next status requests.
        var statusFailures: [FakeResponse] = []
        /// Delay the first submit's answer (after the job was made) by this long.
        var firstCreateDelay: Duration?
        /// Keys accepted; others get 401.
        var validKeys: Set<String> = ["fal-key-good"]
        var pollsToFinish = 2
        /// Jobs never leave IN_PROGRESS.
        var stuck = false
        /// Jobs end COMPLETED with this `error` / `error_type`, and their result answers 422.
        var failure: (message: String, type: String)?
        /// The failure shows only in the result request (status `error`/`error_type` stay null).
        var failureOnlyInResult = false
    }

    static let pikaRatios: Set<String> = ["16:9", "9:16", "1:1", "4:5", "5:4", "3:2", "2:3"]

    let server: FakeHTTPServer
    private let state: Mutex<(jobs: [String: Job], script: Script)>
    private let clip: Data
    /// The fake's ED25519 signing key (raw bytes; swift-crypto's key type is not Sendable).
    private let signingKey: Data

    var baseURL: String { server.baseURL }
    var jwksURL: String { server.baseURL + "/.well-known/jwks.json" }
    var jobs: [String: Job] { state.withLock { $0.jobs } }
    /// Submits that made a job.
    var jobsCreated: Int { state.withLock { $0.jobs.count } }

    private init(server: FakeHTTPServer, script: Script, clip: Data) {
        self.server = server
        self.state = Mutex(([:], script))
        self.clip = clip
        self.signingKey = Curve25519.Signing.PrivateKey().rawRepresentation
    }

    func update(_ change: (inout Script) -> Void) { state.withLock { change(&$0.script) } }

    static func start(clip: Data, script: Script = Script()) async throws -> FakeFalServer {
        let box = Box()
        let server = try await FakeHTTPServer.start { request in
            guard let fake = box.fake else { return .empty(status: 503) }
            return fake.answer(request)
        }
        let fake = FakeFalServer(server: server, script: script, clip: clip)
        box.fake = fake
        return fake
    }

    func stop() async { await server.stop() }

    // MARK: - Webhooks

    /// A webhook delivery as fal POSTs it for `requestID` (`status` OK with the model output, or ERROR),
    /// signed with the fake's key over `request_id \n user_id \n timestamp \n sha256_hex(body)`.
    func webhook(requestID: String, ok: Bool = true, error: String? = nil, signedAt: Date = Date(),
                 tamper: Bool = false) throws -> (headers: [String: String], body: Data) {
        let payload: JSONValue = ok ? output() : ["detail": [["loc": ["body", "prompt"], "msg": .string(error ?? "failed"),
                                                              "type": "content_policy_violation"]]]
        let object: JSONValue = ["request_id": .string(requestID), "gateway_request_id": .string(requestID),
                                 "status": ok ? "OK" : "ERROR", "payload": payload,
                                 "error": ok ? .null : .string(error ?? "Invalid status code: 422")]
        let body = Data(object.canonicalJSON.utf8)
        let timestamp = String(Int(signedAt.timeIntervalSince1970))
        let userID = "user_1234"
        let digest = SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: signingKey)
        var signature = try key.signature(for: Data("\(requestID)\n\(userID)\n\(timestamp)\n\(digest)".utf8))
        if tamper { signature[signature.startIndex] ^= 0xFF }
        let hex = signature.map { String(format: "%02x", $0) }.joined()
        return (["x-fal-webhook-request-id": requestID, "x-fal-webhook-user-id": userID,
                 "x-fal-webhook-timestamp": timestamp, "x-fal-webhook-signature": hex,
                 "content-type": "application/json"], body)
    }

    private var jwks: JSONValue {
        let publicKey = (try? Curve25519.Signing.PrivateKey(rawRepresentation: signingKey).publicKey.rawRepresentation) ?? Data()
        let x = publicKey.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return ["keys": [["kty": "OKP", "crv": "Ed25519", "x": .string(x), "kid": "fal-webhook-1", "use": "sig"]]]
    }

    // MARK: - Routing

    private func detail(_ status: Int, _ message: String) -> FakeResponse {
        .json(["detail": .string(message)], status: status)
    }

    private func validation(_ field: String, _ message: String, type: String) -> FakeResponse {
        .json(["detail": [["loc": ["body", .string(field)], "msg": .string(message), "type": .string(type)]]], status: 422)
    }

    private func answer(_ request: RecordedRequest) -> FakeResponse {
        if request.method == "GET" && request.path == "/.well-known/jwks.json" { return .json(jwks) }
        if request.method == "GET" && request.path.hasPrefix("/files/") { return .bytes(clip) }
        let auth = request.headers["authorization"] ?? ""
        let key = auth.hasPrefix("Key ") ? String(auth.dropFirst(4)) : ""
        guard state.withLock({ $0.script.validKeys.contains(key) }) else {
            return detail(401, "Authentication is required to access this application.")
        }
        let path = String(request.path.dropFirst())
        guard let range = path.range(of: "/requests/") else {
            return request.method == "POST" ? submit(endpoint: path, request) : detail(405, "Method Not Allowed")
        }
        let prefix = String(path[..<range.lowerBound])
        let rest = path[range.upperBound...].split(separator: "/").map(String.init)
        guard let id = rest.first, let job = jobs[id], prefix == Self.appID(job.endpoint) || prefix == job.endpoint else {
            return detail(404, "Request not found")
        }
        switch (request.method, rest.count > 1 ? rest[1] : "") {
        case ("GET", "status"): return status(job, logs: request.query["logs"] == "true" || request.query["logs"] == "1")
        case ("GET", ""): return result(job)
        case ("PUT", "cancel"): return cancel(job)
        default: return detail(405, "Method Not Allowed")
        }
    }

    private func submit(endpoint: String, _ request: RecordedRequest) -> FakeResponse {
        let scripted: FakeResponse? = state.withLock { state in
            state.script.createFailures.isEmpty ? nil : state.script.createFailures.removeFirst()
        }
        if let scripted { return scripted }
        guard ["fal-ai/pika/v2.2/text-to-video", "fal-ai/pika/v2.2/image-to-video", "fal-ai/pika/v2.2/pikascenes"]
            .contains(endpoint) else {
            return detail(404, "Application '\(endpoint)' not found")
        }
        guard let input = request.json?.objectValue else { return validation("body", "Input should be a valid dictionary", type: "dict_type") }
        guard let prompt = input["prompt"]?.stringValue, !prompt.isEmpty else {
            return validation("prompt", "Field required", type: "missing")
        }
        if let duration = input["duration"] {
            guard case .int(let seconds) = duration, [5, 10].contains(seconds) else {
                return validation("duration", "Input should be 5 or 10", type: "literal_error")
            }
        }
        if let resolution = input["resolution"], !["720p", "1080p"].contains(resolution.stringValue ?? "") {
            return validation("resolution", "Input should be '720p' or '1080p'", type: "literal_error")
        }
        if !endpoint.hasSuffix("image-to-video"), let ratio = input["aspect_ratio"],
           !Self.pikaRatios.contains(ratio.stringValue ?? "") {
            return validation("aspect_ratio", "Input should be one of 16:9, 9:16, 1:1, 4:5, 5:4, 3:2, 2:3", type: "literal_error")
        }
        if endpoint.hasSuffix("image-to-video") {
            guard let image = input["image_url"]?.stringValue, image.hasPrefix("data:image/") || image.hasPrefix("http") else {
                return validation("image_url", "Field required", type: "missing")
            }
        }
        if endpoint.hasSuffix("pikascenes"), let problem = Self.scenesProblem(input) {
            return validation(problem.field, problem.message, type: problem.type)
        }
        let id = UUID().uuidString.lowercased()
        let job = Job(requestID: id, endpoint: endpoint, input: input, webhook: request.query["fal_webhook"])
        let delay: Duration? = state.withLock { state in
            state.jobs[id] = job
            defer { state.script.firstCreateDelay = nil }
            return state.script.firstCreateDelay
        }
        let app = Self.appID(endpoint)
        var body: [String: JSONValue] = [
            "request_id": .string(id), "status": "IN_QUEUE", "queue_position": 0,
            "response_url": .string("\(baseURL)/\(app)/requests/\(id)"),
            "status_url": .string("\(baseURL)/\(app)/requests/\(id)/status"),
            "cancel_url": .string("\(baseURL)/\(app)/requests/\(id)/cancel"),
        ]
        if job.webhook != nil { body["gateway_request_id"] = .string(id) }
        let response = FakeResponse.json(.object(body), headers: [("x-fal-request-id", id)])
        return delay.map { response.delayed($0) } ?? response
    }

    /// Pika Scenes' `images`: a required list of 1–5 `{image_url}` objects holding URLs or data URIs
    /// (five: the assumed ingredient limit).
    static func scenesProblem(_ input: [String: JSONValue]) -> (field: String, message: String, type: String)? {
        guard let images = input["images"]?.arrayValue else { return ("images", "Field required", "missing") }
        guard (1...5).contains(images.count) else {
            return ("images", "List should have at least 1 item and at most 5 items, not \(images.count)", "too_long")
        }
        for image in images {
            guard let url = image["image_url"]?.stringValue, url.hasPrefix("data:image/") || url.hasPrefix("http") else {
                return ("images", "Each image needs an image_url (a URL or data URI)", "missing")
            }
        }
        return nil
    }

    private enum Phase { case queued, running, done }

    private func phase(_ job: Job, script: Script) -> Phase {
        if job.cancelled { return .done }
        if script.stuck { return job.polls <= 1 ? .queued : .running }
        if job.polls >= script.pollsToFinish { return .done }
        return job.polls <= 1 ? .queued : .running
    }

    private func status(_ job: Job, logs: Bool) -> FakeResponse {
        let scripted: FakeResponse? = state.withLock { state in
            state.script.statusFailures.isEmpty ? nil : state.script.statusFailures.removeFirst()
        }
        if let scripted { return scripted }
        let (current, script) = state.withLock { state -> (Job, Script) in
            state.jobs[job.requestID]?.polls += 1
            return (state.jobs[job.requestID] ?? job, state.script)
        }
        let app = Self.appID(job.endpoint)
        var body: [String: JSONValue] = [
            "request_id": .string(job.requestID), "queue_position": .null,
            "logs": logs ? .array([["message": "Generating", "level": "INFO", "source": "USER", "timestamp": "2026-01-01T00:00:00Z"]]) : .null,
            "response_url": .string("\(baseURL)/\(app)/requests/\(job.requestID)"),
            "status_url": .string("\(baseURL)/\(app)/requests/\(job.requestID)/status"),
            "cancel_url": .string("\(baseURL)/\(app)/requests/\(job.requestID)/cancel"),
        ]
        switch phase(current, script: script) {
        case .queued:
            body["status"] = "IN_QUEUE"
            body["queue_position"] = 0
        case .running:
            body["status"] = "IN_PROGRESS"
        case .done:
            body["status"] = "COMPLETED"
            body["metrics"] = ["inference_time": 12.5]
            body["error"] = .null
            body["error_type"] = .null
            if current.cancelled {
                body["error"] = "Request was cancelled"
                body["error_type"] = "request_cancelled"
            } else if let failure = script.failure, !script.failureOnlyInResult {
                body["error"] = .string(failure.message)
                body["error_type"] = .string(failure.type)
            }
        }
        return .json(.object(body))
    }

    private func output() -> JSONValue {
        ["video": ["url": .string("\(baseURL)/files/pika-output.mp4"), "content_type": "video/mp4",
                   "file_name": "pika-output.mp4", "file_size": .int(clip.count)]]
    }

    private func result(_ job: Job) -> FakeResponse {
        let (current, script) = state.withLock { ($0.jobs[job.requestID] ?? job, $0.script) }
        guard phase(current, script: script) == .done else { return detail(400, "Request is still in progress") }
        if current.cancelled { return detail(400, "Request was cancelled") }
        if let failure = script.failure { return validation("prompt", failure.message, type: failure.type) }
        return .json(output())
    }

    private func cancel(_ job: Job) -> FakeResponse {
        let (current, script) = state.withLock { ($0.jobs[job.requestID] ?? job, $0.script) }
        if phase(current, script: script) == .done { return .json(["status": "ALREADY_COMPLETED"], status: 400) }
        state.withLock { $0.jobs[job.requestID]?.cancelled = true }
        return .json(["status": "CANCELLATION_REQUESTED"], status: 202)
    }

    /// `owner/alias` of an endpoint id (`namespace/owner/alias` for workflows/comfy), as fal-js `parseEndpointId`.
    static func appID(_ endpoint: String) -> String {
        let parts = endpoint.split(separator: "/").map(String.init)
        let take = ["workflows", "comfy"].contains(parts.first ?? "") ? 3 : 2
        return parts.prefix(take).joined(separator: "/")
    }

    private final class Box: Sendable {
        private let value = Mutex<FakeFalServer?>(nil)
        var fake: FakeFalServer? {
            get { value.withLock { $0 } }
            set { value.withLock { $0 = newValue } }
        }
    }
}
