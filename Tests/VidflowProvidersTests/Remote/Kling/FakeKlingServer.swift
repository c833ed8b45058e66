import Crypto
import Foundation
import Synchronization
import VidflowCore

/// A fake Kling API (legacy `/v1`) on 127.0.0.1: `POST /v1/videos/{text2video|image2video}`,
/// `GET /v1/videos/{endpoint}/{task_id or external_task_id}`, `GET /v1/videos/{endpoint}` (list), and
/// the public video files. Every call must carry a valid HS256 JWT signed with the secret of its `iss`
/// access key; answers use Kling's `{code, message, request_id, data}` envelope and error codes; tasks
/// go submitted → processing → succeed over `pollsToFinish` reads.
final class FakeKlingServer: Sendable {
    struct KlingTask: Sendable {
        var id: String
        var endpoint: String
        var body: JSONValue
        var polls = 0
    }

    struct Script: Sendable {
        var createFailures: [FakeResponse] = []
        var statusFailures: [FakeResponse] = []
        /// Delay the first create's answer (after the task was made) by this long.
        var firstCreateDelay: Duration?
        /// Access key → secret key of the accounts that exist.
        var secrets: [String: String] = ["ak_good": "sk_good"]
        /// Access keys whose account is refused with this code (1000: auth failed, 1102: pack exhausted).
        var refused: [String: Int] = [:]
        var pollsToFinish = 3
        var stuck = false
        /// Tasks fail with this `task_status_msg`.
        var failure: String?
    }

    static let models = ["kling-v1", "kling-v1-6", "kling-v2-master", "kling-v2-1-master", "kling-v2-5-turbo", "kling-v2-6", "kling-v3"]

    let server: FakeHTTPServer
    private let state: Mutex<(tasks: [String: KlingTask], script: Script, issuers: [String], nextID: Int)>
    private let clip: Data

    var baseURL: String { server.baseURL }
    var tasks: [String: KlingTask] { state.withLock { $0.tasks } }
    var tasksCreated: Int { state.withLock { $0.tasks.count } }
    /// The `iss` of every verified token, in order.
    var issuers: [String] { state.withLock { $0.issuers } }
    var createRequests: [RecordedRequest] {
        server.requests.filter { $0.method == "POST" && $0.path.hasPrefix("/v1/videos/") }
    }

    private init(server: FakeHTTPServer, state: consuming Mutex<(tasks: [String: KlingTask], script: Script, issuers: [String], nextID: Int)>,
                 clip: Data) {
        self.server = server
        self.state = state
        self.clip = clip
    }

    func update(_ change: (inout Script) -> Void) { state.withLock { change(&$0.script) } }

    static func start(clip: Data, script: Script = Script()) async throws -> FakeKlingServer {
        let box = Box()
        let server = try await FakeHTTPServer.start { request in
            guard let fake = box.fake else { return .empty(status: 503) }
            return fake.answer(request)
        }
        let fake = FakeKlingServer(server: server, state: Mutex(([:], script, [], 846_532_019_247_000)), clip: clip)
        box.fake = fake
        return fake
    }

    func stop() async { await server.stop() }

    static func envelope(_ code: Int, _ message: String, data: JSONValue? = nil, status: Int = 200) -> FakeResponse {
        var object: [String: JSONValue] = ["code": .int(code), "message": .string(message),
                                           "request_id": .string(UUID().uuidString.lowercased())]
        if let data { object["data"] = data }
        return .json(.object(object), status: status)
    }

    /// The JWT claims when `authorization` holds a token signed with a known account's secret.
    private func verify(_ authorization: String?) -> (iss: String, exp: Int, nbf: Int)? {
        guard let auth = authorization, auth.hasPrefix("Bearer ") else { return nil }
        let parts = auth.dropFirst(7).split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let header = Self.decode(parts[0]), let payload = Self.decode(parts[1]),
              header["alg"] == "HS256", header["typ"] == "JWT",
              let iss = payload["iss"]?.stringValue, let exp = payload["exp"]?.intValue, let nbf = payload["nbf"]?.intValue,
              let secret = state.withLock({ $0.script.secrets[iss] }) else { return nil }
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(parts[0]).\(parts[1])".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        let expected = Data(mac).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        guard expected == parts[2] else { return nil }
        return (iss, exp, nbf)
    }

    static func decode(_ part: String) -> JSONValue? {
        var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text) else { return nil }
        return try? JSONValue.parse(String(decoding: data, as: UTF8.self))
    }

    private func answer(_ request: RecordedRequest) -> FakeResponse {
        if request.method == "GET", request.path.hasPrefix("/files/") { return .bytes(clip) }
        guard let claims = verify(request.headers["authorization"]) else {
            return Self.envelope(1000, "Authentication failed", status: 401)
        }
        let now = Int(Date().timeIntervalSince1970)
        guard claims.nbf <= now else { return Self.envelope(1003, "Authorization is not yet valid", status: 401) }
        guard claims.exp > now else { return Self.envelope(1004, "Authorization has expired", status: 401) }
        let refusal: Int? = state.withLock { state in
            state.issuers.append(claims.iss)
            return state.script.refused[claims.iss]
        }
        switch refusal {
        case 1102?: return Self.envelope(1102, "Resource pack exhausted", status: 429)
        case let code?: return Self.envelope(code, "Authentication failed", status: 401)
        case nil: break
        }
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[0] == "v1", parts[1] == "videos", ["text2video", "image2video"].contains(parts[2]) else {
            return Self.envelope(1202, "Invalid request method", status: 404)
        }
        switch (request.method, parts.count) {
        case ("POST", 3): return create(request, endpoint: parts[2])
        case ("GET", 3):
            return Self.envelope(0, "SUCCEED", data: .array(tasks.values.filter { $0.endpoint == parts[2] }.map { data(of: $0, script: Script()) }))
        case ("GET", 4): return retrieve(parts[3], endpoint: parts[2])
        default: return Self.envelope(1202, "Invalid request method", status: 404)
        }
    }

    private func create(_ request: RecordedRequest, endpoint: String) -> FakeResponse {
        let scripted: FakeResponse? = state.withLock { state in
            state.script.createFailures.isEmpty ? nil : state.script.createFailures.removeFirst()
        }
        if let scripted { return scripted }
        guard let body = request.json, body.objectValue != nil else { return Self.envelope(1200, "Invalid request body", status: 400) }
        let model = body["model_name"]?.stringValue ?? "kling-v1"
        guard Self.models.contains(model) else { return Self.envelope(1201, "model_name is invalid", status: 400) }
        if let duration = body["duration"] {
            guard let text = duration.stringValue, let seconds = Int(text),
                  model == "kling-v3" ? (3...15).contains(seconds) : ["5", "10"].contains(text) else {
                return Self.envelope(1201, "duration value is invalid", status: 400)
            }
        }
        if endpoint == "image2video" {
            guard let image = body["image"]?.stringValue, !image.hasPrefix("data:"), Data(base64Encoded: image) != nil else {
                return Self.envelope(1201, "image format is invalid, raw base64 without a data: prefix is required", status: 400)
            }
            guard body["aspect_ratio"] == nil else { return Self.envelope(1201, "aspect_ratio is not supported", status: 400) }
        } else if body["prompt"]?.stringValue?.isEmpty != false {
            return Self.envelope(1201, "prompt is required", status: 400)
        }
        if let watermark = body["watermark_info"] {
            guard watermark.objectValue != nil, watermark["enabled"]?.boolValue != nil else {
                return Self.envelope(1201, "watermark_info.enabled must be a boolean", status: 400)
            }
        }
        let external = body["external_task_id"]?.stringValue
        let made: (KlingTask, Duration?)? = state.withLock { state in
            if let external, state.tasks.values.contains(where: { $0["external_task_id"] == external }) { return nil }
            state.nextID += 1
            let task = KlingTask(id: String(state.nextID), endpoint: endpoint, body: body)
            state.tasks[task.id] = task
            defer { state.script.firstCreateDelay = nil }
            return (task, state.script.firstCreateDelay)
        }
        guard let (task, delay) = made else { return Self.envelope(1201, "external_task_id already exists", status: 400) }
        let response = Self.envelope(0, "SUCCEED", data: data(of: task, script: Script()))
        return delay.map { response.delayed($0) } ?? response
    }

    private func retrieve(_ id: String, endpoint: String) -> FakeResponse {
        let scripted: FakeResponse? = state.withLock { state in
            state.script.statusFailures.isEmpty ? nil : state.script.statusFailures.removeFirst()
        }
        if let scripted { return scripted }
        let found: (KlingTask, Script)? = state.withLock { state in
            guard let key = state.tasks.first(where: { ($0.key == id || $0.value["external_task_id"] == id) && $0.value.endpoint == endpoint })?.key,
                  var task = state.tasks[key] else { return nil }
            task.polls += 1
            state.tasks[key] = task
            return (task, state.script)
        }
        guard let (task, script) = found else { return Self.envelope(1203, "Resource not found", status: 404) }
        return Self.envelope(0, "SUCCEED", data: data(of: task, script: script))
    }

    /// The task `data` object, as queries answer and callbacks POST it.
    func data(of task: KlingTask, script: Script) -> JSONValue {
        let created = 1_764_000_000_000
        var data: [String: JSONValue] = [
            "task_id": .string(task.id), "task_info": ["external_task_id": task["external_task_id"].map(JSONValue.string) ?? .null],
            "created_at": .int(created), "updated_at": .int(created + task.polls * 1000), "task_status_msg": "",
        ]
        let watermarked = task.body["watermark_info"]?["enabled"]?.boolValue == true
        data["watermark_info"] = ["enabled": .bool(watermarked)]
        if task.polls == 0 || (task.polls == 1 && !script.stuck) {
            data["task_status"] = "submitted"
        } else if script.stuck || task.polls < script.pollsToFinish {
            data["task_status"] = "processing"
        } else if let failure = script.failure {
            data["task_status"] = "failed"
            data["task_status_msg"] = .string(failure)
        } else {
            let seconds = task.body["duration"]?.stringValue ?? "5"
            data["task_status"] = "succeed"
            data["final_unit_deduction"] = .string(seconds == "10" ? "2" : "1")
            var video: [String: JSONValue] = ["id": .string("v-" + task.id), "url": .string(baseURL + "/files/\(task.id).mp4"),
                                              "duration": .string(seconds)]
            if watermarked { video["watermark_url"] = .string(baseURL + "/files/\(task.id)-wm.mp4") }
            data["task_result"] = ["videos": [.object(video)]]
        }
        return .object(data)
    }

    /// The body Kling POSTs to `callback_url` once the task finished (succeeded, or failed with `failure`).
    func finishedCallbackBody(_ taskID: String, failure: String? = nil) -> Data {
        var script = Script()
        script.pollsToFinish = 1
        script.failure = failure
        var task = tasks[taskID] ?? KlingTask(id: taskID, endpoint: "text2video", body: [:])
        task.polls = 2
        return Data(data(of: task, script: script).canonicalJSON.utf8)
    }

    private final class Box: Sendable {
        private let value = Mutex<FakeKlingServer?>(nil)
        var fake: FakeKlingServer? {
            get { value.withLock { $0 } }
            set { value.withLock { $0 = newValue } }
        }
    }
}

extension FakeKlingServer.KlingTask {
    /// A body field as text.
    subscript(field: String) -> String? { body[field]?.stringValue }
}
