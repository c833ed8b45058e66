import Crypto
import Foundation
import Synchronization
import VidflowCore

/// A fake Replicate API on 127.0.0.1: `POST /v1/models/{owner}/{name}/predictions`, `POST /v1/predictions`
/// (with `version`), `GET /v1/predictions/{id}`, `POST /v1/predictions/{id}/cancel`, `GET /v1/account`,
/// `GET /v1/webhooks/default/secret`, Bearer auth, RFC 7807 problem bodies, Seedance's input validation,
/// starting → processing → succeeded over `pollsToFinish` polls, a public file host for outputs, and
/// webhook deliveries signed the Standard Webhooks way.
final class FakeReplicateServer: Sendable {
    struct Prediction: Sendable {
        var id: String
        var model: String
        var version: String
        var input: [String: JSONValue]
        var webhook: String?
        var eventsFilter: [String]?
        var createdAt: String
        var polls = 0
        /// Set by cancel (`canceled`) or `abort` (`aborted`).
        var forcedStatus: String?
    }

    struct Script: Sendable {
        /// Answers for the next creates, before the normal one.
        var createFailures: [FakeResponse] = []
        /// Answers for the next prediction GETs.
        var statusFailures: [FakeResponse] = []
        /// Delay the first create's answer (after the prediction was made) by this long.
        var firstCreateDelay: Duration?
        var validTokens: Set<String> = ["r8_good"]
        var pollsToFinish = 2
        /// Predictions never leave `processing`.
        var stuck = false
        /// Predictions fail with this `error`.
        var failure: String?
        /// `output` as a list of URLs instead of one URL.
        var outputAsList = false
        /// How many URLs a list `output` holds.
        var listLength = 1
    }

    static let secret = "whsec_" + Data("vidflow-replicate-webhook-secret".utf8).base64EncodedString()
    static let models: [String: Set<String>] = [
        "bytedance/seedance-1-pro": ["480p", "720p", "1080p"], "bytedance/seedance-1-lite": ["480p", "720p", "1080p"],
    ]
    static let ratios: Set<String> = ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "9:21"]

    let server: FakeHTTPServer
    private let state: Mutex<(predictions: [String: Prediction], script: Script)>
    private let clip: Data

    var baseURL: String { server.baseURL }
    var predictions: [String: Prediction] { state.withLock { $0.predictions } }
    var jobsCreated: Int { state.withLock { $0.predictions.count } }

    private init(server: FakeHTTPServer, script: Script, clip: Data) {
        self.server = server
        self.state = Mutex(([:], script))
        self.clip = clip
    }

    func update(_ change: (inout Script) -> Void) { state.withLock { change(&$0.script) } }

    /// Ends a prediction as Replicate does when its `Cancel-After` deadline passes before it starts.
    func abort(_ id: String) { state.withLock { $0.predictions[id]?.forcedStatus = "aborted" } }

    static func start(clip: Data, script: Script = Script()) async throws -> FakeReplicateServer {
        let box = Box()
        let server = try await FakeHTTPServer.start { request in
            guard let fake = box.fake else { return .empty(status: 503) }
            return fake.answer(request)
        }
        let fake = FakeReplicateServer(server: server, script: script, clip: clip)
        box.fake = fake
        return fake
    }

    func stop() async { await server.stop() }

    /// A webhook delivery of prediction `id` in its current state, signed with `secret` (Standard Webhooks:
    /// HMAC-SHA256 over `webhook-id.webhook-timestamp.body`, `v1,<base64>`).
    func webhook(_ id: String, secret: String = FakeReplicateServer.secret, signedAt: Date = Date(),
                 forcePolls: Int? = nil) throws -> (headers: [String: String], body: Data) {
        let prediction = try XCTUnwrapValue(state.withLock { state -> Prediction? in
            if let forcePolls { state.predictions[id]?.polls = forcePolls }
            return state.predictions[id]
        })
        let body = Data(object(prediction, script: state.withLock { $0.script }).canonicalJSON.utf8)
        let messageID = "msg_" + UUID().uuidString.prefix(12).lowercased()
        let timestamp = String(Int(signedAt.timeIntervalSince1970))
        let key = Data(base64Encoded: String(secret.dropFirst("whsec_".count))) ?? Data()
        var signed = Data("\(messageID).\(timestamp).".utf8)
        signed.append(body)
        let mac = Data(HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: key)))
        return (["webhook-id": messageID, "webhook-timestamp": timestamp,
                 "webhook-signature": "v1,\(Data(repeating: 7, count: 32).base64EncodedString()) v1,\(mac.base64EncodedString())",
                 "content-type": "application/json"], body)
    }

    // MARK: - Routing

    private func problem(_ status: Int, _ title: String, _ detail: String) -> FakeResponse {
        .json(["type": "about:blank", "title": .string(title), "status": .int(status), "detail": .string(detail)], status: status)
    }

    private func answer(_ request: RecordedRequest) -> FakeResponse {
        if request.method == "GET" && request.path.hasPrefix("/files/") { return .bytes(clip) }
        let auth = request.headers["authorization"] ?? ""
        let token = auth.hasPrefix("Bearer ") ? String(auth.dropFirst(7)) : ""
        guard state.withLock({ $0.script.validTokens.contains(token) }) else {
            return problem(401, "Unauthenticated", "You did not pass a valid authentication token")
        }
        let parts = request.path.split(separator: "/").map(String.init)
        switch (request.method, parts.count) {
        case ("GET", 2) where parts == ["v1", "account"]:
            return .json(["type": "user", "username": "vidflow", "name": "Vidflow Tests", "github_url": .null])
        case ("GET", 4) where parts == ["v1", "webhooks", "default", "secret"]:
            return .json(["key": .string(Self.secret)])
        case ("POST", 5) where parts[0] == "v1" && parts[1] == "models" && parts[4] == "predictions":
            return create(request, model: "\(parts[2])/\(parts[3])", version: nil)
        case ("POST", 2) where parts == ["v1", "predictions"]:
            guard let version = request.json?["version"]?.stringValue, version.count == 64, version.allSatisfy(\.isHexDigit) else {
                return problem(422, "Invalid version", "The specified version does not exist (or perhaps you don't have permission to use it?)")
            }
            return create(request, model: "bytedance/seedance-1-lite", version: version)
        case ("GET", 3) where parts[0] == "v1" && parts[1] == "predictions":
            return retrieve(parts[2])
        case ("POST", 4) where parts[0] == "v1" && parts[1] == "predictions" && parts[3] == "cancel":
            return cancel(parts[2])
        default:
            return problem(404, "Not found", "The requested resource could not be found.")
        }
    }

    private func invalid(_ field: String, _ description: String) -> FakeResponse {
        .json(["title": "Input validation failed", "detail": .string("- input.\(field): \(description)\n"), "status": 422,
               "invalid_fields": [["type": "invalid", "field": .string("input.\(field)"), "description": .string(description)]]],
              status: 422)
    }

    private func create(_ request: RecordedRequest, model: String, version: String?) -> FakeResponse {
        let scripted: FakeResponse? = state.withLock { state in
            state.script.createFailures.isEmpty ? nil : state.script.createFailures.removeFirst()
        }
        if let scripted { return scripted }
        guard let resolutions = Self.models[model] else { return problem(404, "Not found", "The requested resource could not be found.") }
        guard let body = request.json?.objectValue, let input = body["input"]?.objectValue else {
            return problem(400, "Bad request", "The request body must be a JSON object with an 'input' object.")
        }
        let allowed: Set<String> = ["input", "webhook", "webhook_events_filter", "version", "stream"]
        if let unknown = body.keys.first(where: { !allowed.contains($0) }) {
            return problem(400, "Bad request", "Unexpected field '\(unknown)'.")
        }
        guard let prompt = input["prompt"]?.stringValue, !prompt.isEmpty else { return invalid("prompt", "prompt is required") }
        if let duration = input["duration"] {
            guard case .int(let seconds) = duration, (2...12).contains(seconds) else {
                return invalid("duration", "Must be an integer between 2 and 12")
            }
        }
        if let resolution = input["resolution"], !resolutions.contains(resolution.stringValue ?? "") {
            return invalid("resolution", "resolution must be one of the following: \"480p\", \"720p\", \"1080p\"")
        }
        if let ratio = input["aspect_ratio"], !Self.ratios.contains(ratio.stringValue ?? "") {
            return invalid("aspect_ratio", "aspect_ratio must be one of the following: \(Self.ratios.sorted())")
        }
        if let problem = Self.referenceProblem(input, model: model) { return invalid("reference_images", problem) }
        for field in ["image", "last_frame_image"] {
            if let value = input[field], !(value.stringValue ?? "").hasPrefix("data:image/"), !(value.stringValue ?? "").hasPrefix("http") {
                return invalid(field, "Does not match format 'uri'")
            }
        }
        let id = String(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(26))
        let prediction = Prediction(id: id, model: model, version: version ?? "hidden", input: input,
                                    webhook: body["webhook"]?.stringValue,
                                    eventsFilter: body["webhook_events_filter"]?.arrayValue?.compactMap(\.stringValue),
                                    createdAt: ISO8601DateFormatter().string(from: Date()))
        let (delay, script): (Duration?, Script) = state.withLock { state in
            state.predictions[id] = prediction
            defer { state.script.firstCreateDelay = nil }
            return (state.script.firstCreateDelay, state.script)
        }
        let response = FakeResponse.json(object(prediction, script: script), status: 201)
        return delay.map { response.delayed($0) } ?? response
    }

    /// Seedance 1 Lite's `reference_images` (its schema: 1–4 URIs, not with 1080p nor a first or last frame);
    /// Seedance 1 Pro's schema has no such input.
    static func referenceProblem(_ input: [String: JSONValue], model: String) -> String? {
        guard let value = input["reference_images"] else { return nil }
        guard model == "bytedance/seedance-1-lite" else { return "Additional property reference_images is not allowed" }
        guard let images = value.arrayValue, images.allSatisfy({ ($0.stringValue ?? "").hasPrefix("data:image/")
            || ($0.stringValue ?? "").hasPrefix("http") }) else { return "Does not match format 'uri'" }
        guard (1...4).contains(images.count) else { return "Reference images must be 1-4 images" }
        if input["image"] != nil || input["last_frame_image"] != nil {
            return "Reference images cannot be used with first frame or last frame images"
        }
        if input["resolution"]?.stringValue == "1080p" { return "Reference images cannot be used with 1080p resolution" }
        return nil
    }

    private func status(of prediction: Prediction, script: Script) -> String {
        if let forced = prediction.forcedStatus { return forced }
        if script.stuck { return prediction.polls <= 1 ? "starting" : "processing" }
        if prediction.polls >= script.pollsToFinish { return script.failure == nil ? "succeeded" : "failed" }
        return prediction.polls <= 1 ? "starting" : "processing"
    }

    private func object(_ prediction: Prediction, script: Script) -> JSONValue {
        let status = status(of: prediction, script: script)
        let api = "\(baseURL)/v1/predictions/\(prediction.id)"
        var object: [String: JSONValue] = [
            "id": .string(prediction.id), "model": .string(prediction.model), "version": .string(prediction.version),
            "input": .object(prediction.input), "logs": "", "output": .null, "data_removed": false, "error": .null,
            "status": .string(status), "created_at": .string(prediction.createdAt), "source": "api",
            "urls": ["get": .string(api), "cancel": .string(api + "/cancel"), "stream": .string("\(baseURL)/stream/\(prediction.id)"),
                     "web": .string("https://replicate.com/p/\(prediction.id)")],
        ]
        if status != "starting" { object["started_at"] = .string(prediction.createdAt) }
        switch status {
        case "processing":
            object["logs"] = "Generating video...\n 45%|████▌     | 9/20 [00:09<00:11]"
        case "succeeded":
            let url = JSONValue.string("\(baseURL)/files/\(prediction.id)/output.mp4")
            let list = (0..<max(script.listLength, 1)).map { index in
                JSONValue.string("\(baseURL)/files/\(prediction.id)/output\(index == 0 ? "" : "-\(index)").mp4")
            }
            object["output"] = script.outputAsList ? .array(list) : url
            object["completed_at"] = .string(prediction.createdAt)
            object["metrics"] = ["predict_time": 41.7, "total_time": 43.2]
        case "failed":
            object["error"] = .string(script.failure ?? "failed")
            object["completed_at"] = .string(prediction.createdAt)
        default:
            break
        }
        return .object(object)
    }

    private func retrieve(_ id: String) -> FakeResponse {
        let scripted: FakeResponse? = state.withLock { state in
            state.script.statusFailures.isEmpty ? nil : state.script.statusFailures.removeFirst()
        }
        if let scripted { return scripted }
        let found: (Prediction, Script)? = state.withLock { state in
            guard state.predictions[id] != nil else { return nil }
            state.predictions[id]?.polls += 1
            return state.predictions[id].map { ($0, state.script) }
        }
        guard let (prediction, script) = found else { return problem(404, "Not found", "The requested resource could not be found.") }
        return .json(object(prediction, script: script))
    }

    private func cancel(_ id: String) -> FakeResponse {
        let found: (Prediction, Script)? = state.withLock { state in
            guard let prediction = state.predictions[id] else { return nil }
            if !["succeeded", "failed", "canceled", "aborted"].contains(status(of: prediction, script: state.script)) {
                state.predictions[id]?.forcedStatus = "canceled"
            }
            return state.predictions[id].map { ($0, state.script) }
        }
        guard let (prediction, script) = found else { return problem(404, "Not found", "The requested resource could not be found.") }
        return .json(object(prediction, script: script))
    }

    private final class Box: Sendable {
        private let value = Mutex<FakeReplicateServer?>(nil)
        var fake: FakeReplicateServer? {
            get { value.withLock { $0 } }
            set { value.withLock { $0 = newValue } }
        }
    }
}

private struct MissingValue: Error {}

private func XCTUnwrapValue<T>(_ value: T?) throws -> T {
    guard let value else { throw MissingValue() }
    return value
}
