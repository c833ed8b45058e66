import Foundation
import Synchronization
import VidflowCore

/// A fake Volcengine Ark / BytePlus ModelArk content-generation API on 127.0.0.1 under `/api/v3`:
/// `POST /contents/generations/tasks`, `GET …/tasks/{id}`, `GET …/tasks` (list), `DELETE …/tasks/{id}`,
/// with Ark's task object, status progression (queued → running → succeeded over a few polls), its
/// `{error: {code, message, type}}` envelopes, and the create-body checks the real API makes (unknown
/// fields, content item shapes, enum values), so a wrong request fails here as it would there.
final class FakeSeedanceServer: Sendable {
    struct ArkTask: Sendable {
        var id: String
        var body: JSONValue
        var createdAt: Int
        var polls = 0
        var status = "queued"
    }

    struct Script: Sendable {
        /// Answers for the next creates, before the normal one (e.g. a 429, then a 500).
        var createFailures: [FakeResponse] = []
        /// Answers for the next task GETs.
        var statusFailures: [FakeResponse] = []
        /// Delay the first create's answer (after the task was made) by this long.
        var firstCreateDelay: Duration?
        /// Keys accepted; others get 401 `AuthenticationError`.
        var validKeys: Set<String> = ["ark-test-good"]
        /// GETs answered `queued`, then `running`, before the task succeeds.
        var queuedPolls = 1
        var runningPolls = 1
        /// Tasks never leave `running`.
        var stuck = false
        /// Tasks fail with this error code and message.
        var failure: (code: String, message: String)?
    }

    static let topLevelFields: Set<String> = [
        "model", "content", "resolution", "ratio", "duration", "frames", "seed", "camera_fixed", "watermark",
        "generate_audio", "draft", "return_last_frame", "callback_url", "service_tier", "execution_expires_after",
        "priority", "safety_identifier", "tools", "output_format", "omni_reference_task_type",
    ]

    let server: FakeHTTPServer
    private let state: Mutex<(tasks: [String: ArkTask], script: Script)>
    private let clip: Data

    var baseURL: String { server.baseURL + "/api/v3" }
    var tasks: [String: ArkTask] { state.withLock { $0.tasks } }
    /// Creates that made a task.
    var tasksCreated: Int { state.withLock { $0.tasks.count } }
    var creates: [RecordedRequest] { server.requests("POST", "/api/v3/contents/generations/tasks") }

    private init(server: FakeHTTPServer, state: consuming Mutex<(tasks: [String: ArkTask], script: Script)>, clip: Data) {
        self.server = server
        self.state = state
        self.clip = clip
    }

    func update(_ change: (inout Script) -> Void) { state.withLock { change(&$0.script) } }

    /// Moves a task to `status` (e.g. to make a callback body).
    func setStatus(_ id: String, _ status: String) { state.withLock { $0.tasks[id]?.status = status } }

    static func start(clip: Data, script: Script = Script()) async throws -> FakeSeedanceServer {
        let box = Box()
        let server = try await FakeHTTPServer.start { request in
            guard let fake = box.fake else { return .empty(status: 503) }
            return fake.answer(request)
        }
        let fake = FakeSeedanceServer(server: server, state: Mutex(([:], script)), clip: clip)
        box.fake = fake
        return fake
    }

    func stop() async { await server.stop() }

    private func error(_ status: Int, _ code: String, _ message: String, type: String = "BadRequest") -> FakeResponse {
        .json(["error": ["code": .string(code), "message": .string(message + " Request id: 0217\(UUID().uuidString.prefix(8))"),
                         "type": .string(type)]], status: status)
    }

    /// The task object as Ark returns it from GET (and POSTs it to `callback_url`).
    func object(_ id: String) -> JSONValue? {
        guard let (task, script) = state.withLock({ state in state.tasks[id].map { ($0, state.script) } }) else { return nil }
        var object: [String: JSONValue] = [
            "id": .string(task.id), "model": task.body["model"] ?? .null, "status": .string(task.status),
            "created_at": .int(task.createdAt), "updated_at": .int(task.createdAt + task.polls),
            "resolution": task.body["resolution"] ?? "1080p", "ratio": task.body["ratio"] ?? "16:9",
            "duration": task.body["duration"] ?? 5, "framespersecond": 24, "service_tier": "default",
            "execution_expires_after": 172_800, "draft": false, "priority": 0, "output_format": "mp4",
        ]
        object["seed"] = task.body["seed"] ?? 17918
        switch task.status {
        case "succeeded":
            object["content"] = ["video_url": .string(server.baseURL + "/tos/\(task.id).mp4?X-Tos-Expires=86400"),
                                 "last_frame_url": .string(server.baseURL + "/tos/\(task.id)_last-frame.png")]
            object["usage"] = ["completion_tokens": 19845, "total_tokens": 19845]
        case "failed":
            let failure = script.failure ?? ("InternalServiceError", "The service encountered an unexpected internal error.")
            object["error"] = ["code": .string(failure.code), "message": .string(failure.message)]
        default:
            break
        }
        return .object(object)
    }

    private func answer(_ request: RecordedRequest) -> FakeResponse {
        if request.path.hasPrefix("/tos/") { return download(request.path) }
        let auth = request.headers["authorization"] ?? ""
        let key = auth.hasPrefix("Bearer ") ? String(auth.dropFirst(7)) : ""
        guard state.withLock({ $0.script.validKeys.contains(key) }) else {
            return error(401, "AuthenticationError", "The API key or AK/SK in the request is missing or invalid.",
                         type: "Unauthorized")
        }
        let prefix = "/api/v3/contents/generations/tasks"
        guard request.path.hasPrefix(prefix) else { return error(404, "NotFound", "Unknown path.", type: "NotFound") }
        let id = request.path.dropFirst(prefix.count).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        switch (request.method, id.isEmpty) {
        case ("POST", true): return create(request)
        case ("GET", true): return list()
        case ("GET", false): return retrieve(id)
        case ("DELETE", false): return delete(id)
        default: return error(404, "NotFound", "Unknown path.", type: "NotFound")
        }
    }

    /// What the real API would refuse in a create body, or nil.
    static func problem(in body: JSONValue?) -> String? {
        guard let object = body?.objectValue else { return "The request body is not a JSON object." }
        if let unknown = object.keys.first(where: { !topLevelFields.contains($0) }) { return "Unknown parameter: \(unknown)." }
        guard object["model"]?.stringValue?.isEmpty == false else { return "The parameter `model` is required." }
        guard let content = object["content"]?.arrayValue, !content.isEmpty else { return "The parameter `content` is required." }
        var roles: [String] = []
        for item in content {
            switch item["type"]?.stringValue {
            case "text"?:
                guard item["text"]?.stringValue != nil else { return "content.text must be a string." }
            case "image_url"?:
                guard let url = item["image_url"]?["url"]?.stringValue,
                      url.hasPrefix("http") || (url.hasPrefix("data:image/") && url.contains(";base64,")) else {
                    return "content.image_url.url must be an http(s) URL or a base64 data URL."
                }
                let role = item["role"]?.stringValue ?? "first_frame"
                guard ["first_frame", "last_frame", "reference_image"].contains(role) else { return "Invalid role: \(role)." }
                roles.append(role)
            default:
                return "Invalid content type: \(item["type"]?.interpolated ?? "none")."
            }
        }
        if roles.contains("last_frame") && !roles.contains("first_frame") { return "last_frame needs a first_frame." }
        if let problem = referenceProblem(roles: roles, model: object["model"]?.stringValue ?? "",
                                          resolution: object["resolution"]?.stringValue) {
            return problem
        }
        if let resolution = object["resolution"], !["480p", "720p", "1080p"].contains(resolution.stringValue ?? "") {
            return "Invalid resolution: \(resolution.interpolated)."
        }
        if let ratio = object["ratio"], !["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive"].contains(ratio.stringValue ?? "") {
            return "Invalid ratio: \(ratio.interpolated)."
        }
        if let duration = object["duration"], duration.intValue == nil || !(2...15).contains(duration.intValue ?? 0) {
            return "Invalid duration: \(duration.interpolated)."
        }
        for flag in ["generate_audio", "watermark", "camera_fixed"] where object[flag] != nil && object[flag]?.boolValue == nil {
            return "\(flag) must be a boolean."
        }
        if let seed = object["seed"], seed.intValue == nil { return "seed must be an integer." }
        return nil
    }

    /// Reference images: 1.0 lite i2v takes 1–4 (not at 1080p), the 2.0 family up to 9, other models none;
    /// never together with a first or last frame.
    static func referenceProblem(roles: [String], model: String, resolution: String?) -> String? {
        let count = roles.filter { $0 == "reference_image" }.count
        guard count > 0 else { return nil }
        if roles.contains("first_frame") || roles.contains("last_frame") {
            return "reference_image cannot be combined with first_frame or last_frame."
        }
        let lite = model.contains("seedance-1-0-lite-i2v")
        let limit = lite ? 4 : model.contains("seedance-2-0") ? 9 : 0
        guard limit > 0 else { return "The model \(model) does not support reference_image." }
        if count > limit { return "At most \(limit) reference images are supported, got \(count)." }
        if lite && resolution == "1080p" { return "reference_image does not support 1080p." }
        return nil
    }

    private func create(_ request: RecordedRequest) -> FakeResponse {
        let scripted: FakeResponse? = state.withLock { state in
            state.script.createFailures.isEmpty ? nil : state.script.createFailures.removeFirst()
        }
        if let scripted { return scripted }
        guard request.headers["content-type"]?.hasPrefix("application/json") == true else {
            return error(400, "InvalidParameter", "Content-Type must be application/json.")
        }
        if let problem = Self.problem(in: request.json) { return error(400, "InvalidParameter", problem) }
        let id = "cgt-\(Int(Date().timeIntervalSince1970))-" + UUID().uuidString.prefix(5).lowercased()
        let delay: Duration? = state.withLock { state in
            state.tasks[id] = ArkTask(id: id, body: request.json ?? .null, createdAt: Int(Date().timeIntervalSince1970))
            defer { state.script.firstCreateDelay = nil }
            return state.script.firstCreateDelay
        }
        let response = FakeResponse.json(["id": .string(id)])
        return delay.map { response.delayed($0) } ?? response
    }

    private func retrieve(_ id: String) -> FakeResponse {
        let scripted: FakeResponse? = state.withLock { state in
            state.script.statusFailures.isEmpty ? nil : state.script.statusFailures.removeFirst()
        }
        if let scripted { return scripted }
        let known: Bool = state.withLock { state in
            guard var task = state.tasks[id] else { return false }
            task.polls += 1
            if ["queued", "running"].contains(task.status) {
                let script = state.script
                if script.stuck && task.polls > script.queuedPolls {
                    task.status = "running"
                } else if !script.stuck {
                    task.status = task.polls <= script.queuedPolls ? "queued"
                        : task.polls <= script.queuedPolls + script.runningPolls ? "running"
                        : script.failure == nil ? "succeeded" : "failed"
                }
            }
            state.tasks[id] = task
            return true
        }
        guard known, let object = object(id) else {
            return error(404, "ResourceNotFound", "The specified task \(id) is not found.", type: "NotFound")
        }
        return .json(object)
    }

    private func list() -> FakeResponse {
        let ids = state.withLock { $0.tasks.keys.sorted() }
        return .json(["total": .int(ids.count), "items": .array(ids.compactMap { object($0) })])
    }

    /// Queued → cancelled; running → refused; finished → the record is deleted (as the BytePlus doc says).
    private func delete(_ id: String) -> FakeResponse {
        let outcome: String? = state.withLock { state in
            guard let task = state.tasks[id] else { return nil }
            switch task.status {
            case "queued": state.tasks[id]?.status = "cancelled"
            case "running": return "running"
            default: state.tasks[id] = nil
            }
            return "ok"
        }
        switch outcome {
        case nil: return error(404, "ResourceNotFound", "The specified task \(id) is not found.", type: "NotFound")
        case "running"?: return error(409, "OperationDenied.InvalidState", "A running task cannot be cancelled.",
                                      type: "Forbidden")
        default: return .json([:])
        }
    }

    private func download(_ path: String) -> FakeResponse {
        let id = String(path.dropFirst("/tos/".count).prefix { $0 != "." && $0 != "_" })
        guard tasks[id]?.status == "succeeded" else { return .text("NoSuchKey", status: 404, contentType: "application/xml") }
        return .bytes(clip)
    }

    private final class Box: Sendable {
        private let value = Mutex<FakeSeedanceServer?>(nil)
        var fake: FakeSeedanceServer? {
            get { value.withLock { $0 } }
            set { value.withLock { $0 = newValue } }
        }
    }
}
