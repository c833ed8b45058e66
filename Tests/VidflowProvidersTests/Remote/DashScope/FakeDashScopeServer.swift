import Foundation
import Synchronization
import VidflowCore

/// A fake DashScope (Alibaba Model Studio) Wan API on 127.0.0.1 under `/api/v1`: async creates on
/// `/services/aigc/video-generation/video-synthesis` and `/services/aigc/image2video/video-synthesis`
/// (kf2v models), `GET /tasks/{id}`, `POST /tasks/{id}/cancel`, with DashScope's envelopes
/// (`{request_id, output{task_id, task_status, …}, usage}`, errors `{request_id, code, message}`),
/// status progression PENDING → RUNNING → SUCCEEDED, `UNKNOWN` for ids it does not know, and the
/// request checks the real API makes (async header, `W*H` sizes, `720P` tiers, required inputs).
final class FakeDashScopeServer: Sendable {
    struct WanTask: Sendable {
        var id: String
        var path: String
        var body: JSONValue
        var polls = 0
        var status = "PENDING"
    }

    struct Script: Sendable {
        /// Answers for the next creates, before the normal one (e.g. a 429, then a 500).
        var createFailures: [FakeResponse] = []
        /// Answers for the next task GETs.
        var statusFailures: [FakeResponse] = []
        /// Delay the first create's answer (after the task was made) by this long.
        var firstCreateDelay: Duration?
        /// Keys accepted; others get 401 `InvalidApiKey`.
        var validKeys: Set<String> = ["sk-dash-good"]
        /// GETs answered PENDING, then RUNNING, before the task ends.
        var pendingPolls = 1
        var runningPolls = 1
        /// Tasks never leave RUNNING.
        var stuck = false
        /// Tasks fail with this `output.code` and `output.message`.
        var failure: (code: String, message: String)?
    }

    static let inputFields: Set<String> = ["prompt", "negative_prompt", "img_url", "first_frame_url", "last_frame_url",
                                           "audio_url", "template", "media", "extend_prompt", "function"]
    static let parameterFields: Set<String> = ["size", "resolution", "duration", "prompt_extend", "watermark", "seed",
                                               "shot_type", "audio", "ratio"]

    let server: FakeHTTPServer
    private let state: Mutex<(tasks: [String: WanTask], script: Script)>
    private let clip: Data

    var baseURL: String { server.baseURL + "/api/v1" }
    var tasks: [String: WanTask] { state.withLock { $0.tasks } }
    var tasksCreated: Int { state.withLock { $0.tasks.count } }
    /// Every create request, on either path.
    var creates: [RecordedRequest] { server.requests.filter { $0.method == "POST" && $0.path.hasSuffix("/video-synthesis") } }

    private init(server: FakeHTTPServer, state: consuming Mutex<(tasks: [String: WanTask], script: Script)>, clip: Data) {
        self.server = server
        self.state = state
        self.clip = clip
    }

    func update(_ change: (inout Script) -> Void) { state.withLock { change(&$0.script) } }

    static func start(clip: Data, script: Script = Script()) async throws -> FakeDashScopeServer {
        let box = Box()
        let server = try await FakeHTTPServer.start { request in
            guard let fake = box.fake else { return .empty(status: 503) }
            return fake.answer(request)
        }
        let fake = FakeDashScopeServer(server: server, state: Mutex(([:], script)), clip: clip)
        box.fake = fake
        return fake
    }

    func stop() async { await server.stop() }

    private static func requestID() -> String { UUID().uuidString.lowercased() }

    private func error(_ status: Int, _ code: String, _ message: String) -> FakeResponse {
        .json(["request_id": .string(Self.requestID()), "code": .string(code), "message": .string(message)], status: status)
    }

    private func answer(_ request: RecordedRequest) -> FakeResponse {
        if request.path.hasPrefix("/oss/") { return download(request) }
        let auth = request.headers["authorization"] ?? ""
        let key = auth.hasPrefix("Bearer ") ? String(auth.dropFirst(7)) : ""
        guard state.withLock({ $0.script.validKeys.contains(key) }) else {
            return error(401, "InvalidApiKey", "Invalid API-key provided.")
        }
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[0] == "api", parts[1] == "v1" else { return error(404, "NotFound", "Not found.") }
        switch (request.method, Array(parts.dropFirst(2))) {
        case ("POST", ["services", "aigc", "video-generation", "video-synthesis"]),
             ("POST", ["services", "aigc", "image2video", "video-synthesis"]):
            return create(request, path: parts[4])
        case ("GET", let rest) where rest.count == 2 && rest[0] == "tasks":
            return retrieve(rest[1])
        case ("POST", let rest) where rest.count == 3 && rest[0] == "tasks" && rest[2] == "cancel":
            return cancel(rest[1])
        default:
            return error(404, "NotFound", "Not found.")
        }
    }

    /// What the real API would refuse in a create body on `path`, or nil.
    static func problem(in body: JSONValue?, path: String) -> String? {
        guard let model = body?["model"]?.stringValue, !model.isEmpty else { return "Field required: model" }
        let input = body?["input"]?.objectValue ?? [:]
        let parameters = body?["parameters"]?.objectValue ?? [:]
        if let unknown = input.keys.first(where: { !inputFields.contains($0) }) { return "Unrecognized input field: \(unknown)" }
        if let unknown = parameters.keys.first(where: { !parameterFields.contains($0) }) {
            return "Unrecognized parameter: \(unknown)"
        }
        if model.contains("kf2v") != (path == "image2video") { return "Model not exist." }
        for field in ["img_url", "first_frame_url", "last_frame_url"] {
            if let url = input[field], !(url.stringValue.map { $0.hasPrefix("http") || $0.hasPrefix("data:image/") } ?? false) {
                return "The \(field) must be a public URL or a base64 data URI."
            }
        }
        if model.contains("t2v"), input["prompt"]?.stringValue?.isEmpty != false { return "Field required: input.prompt" }
        if model.contains("i2v") && !model.hasPrefix("wan2.7"), input["img_url"] == nil { return "Field required: input.img_url" }
        if model.contains("kf2v"), input["first_frame_url"] == nil { return "Field required: input.first_frame_url" }
        if let size = parameters["size"]?.stringValue {
            let sides = size.split(separator: "*")
            guard sides.count == 2, sides.allSatisfy({ Int($0) != nil }) else { return "The size is invalid: \(size)" }
        }
        if let resolution = parameters["resolution"], !["480P", "720P", "1080P"].contains(resolution.stringValue ?? "") {
            return "The resolution is invalid: \(resolution.interpolated)"
        }
        if let duration = parameters["duration"], duration.intValue == nil { return "duration must be an integer" }
        if let seed = parameters["seed"], !(0...2_147_483_647).contains(seed.intValue ?? -1) { return "seed out of range" }
        for flag in ["watermark", "prompt_extend", "audio"] where parameters[flag] != nil && parameters[flag]?.boolValue == nil {
            return "The \(flag) must be a boolean."
        }
        return nil
    }

    private func create(_ request: RecordedRequest, path: String) -> FakeResponse {
        let scripted: FakeResponse? = state.withLock { state in
            state.script.createFailures.isEmpty ? nil : state.script.createFailures.removeFirst()
        }
        if let scripted { return scripted }
        guard request.headers["x-dashscope-async"] == "enable" else {
            return error(403, "AccessDenied", "current user api does not support synchronous calls")
        }
        guard request.headers["content-type"]?.hasPrefix("application/json") == true else {
            return error(400, "InvalidParameter", "Content-Type must be application/json")
        }
        if let problem = Self.problem(in: request.json, path: path) { return error(400, "InvalidParameter", problem) }
        let id = Self.requestID()
        let delay: Duration? = state.withLock { state in
            state.tasks[id] = WanTask(id: id, path: path, body: request.json ?? .null)
            defer { state.script.firstCreateDelay = nil }
            return state.script.firstCreateDelay
        }
        let response = FakeResponse.json(["request_id": .string(Self.requestID()),
                                          "output": ["task_id": .string(id), "task_status": "PENDING"]])
        return delay.map { response.delayed($0) } ?? response
    }

    private func retrieve(_ id: String) -> FakeResponse {
        let scripted: FakeResponse? = state.withLock { state in
            state.script.statusFailures.isEmpty ? nil : state.script.statusFailures.removeFirst()
        }
        if let scripted { return scripted }
        let found: (WanTask, Script)? = state.withLock { state in
            guard var task = state.tasks[id] else { return nil }
            task.polls += 1
            let script = state.script
            if ["PENDING", "RUNNING"].contains(task.status) {
                if script.stuck {
                    task.status = task.polls > script.pendingPolls ? "RUNNING" : task.status
                } else {
                    task.status = task.polls <= script.pendingPolls ? "PENDING"
                        : task.polls <= script.pendingPolls + script.runningPolls ? "RUNNING"
                        : script.failure == nil ? "SUCCEEDED" : "FAILED"
                }
            }
            state.tasks[id] = task
            return (task, script)
        }
        guard let (task, script) = found else {
            // Unknown, expired or other-region ids: HTTP 200 with UNKNOWN.
            return .json(["request_id": .string(Self.requestID()), "output": ["task_id": .string(id), "task_status": "UNKNOWN"]])
        }
        var output: [String: JSONValue] = ["task_id": .string(task.id), "task_status": .string(task.status),
                                           "submit_time": "2026-11-24 12:00:00.000"]
        if task.status != "PENDING" { output["scheduled_time"] = "2026-11-24 12:00:01.000" }
        var body: [String: JSONValue] = ["request_id": .string(Self.requestID())]
        switch task.status {
        case "SUCCEEDED":
            output["end_time"] = "2026-11-24 12:01:00.000"
            output["orig_prompt"] = task.body["input"]?["prompt"] ?? ""
            output["video_url"] = .string(server.baseURL + "/oss/\(task.id).mp4?Expires=1790000000&OSSAccessKeyId=LTAI5t&Signature=abc%3D")
            body["usage"] = ["duration": 5.0, "input_video_duration": 0, "output_video_duration": 5, "SR": 720,
                             "video_count": 1, "audio": true]
        case "FAILED":
            output["end_time"] = "2026-11-24 12:01:00.000"
            output["code"] = .string(script.failure?.code ?? "InternalError")
            output["message"] = .string(script.failure?.message ?? "internal error")
        default:
            break
        }
        body["output"] = .object(output)
        return .json(.object(body))
    }

    /// PENDING → CANCELED; any other state → 400 `UnsupportedOperation`.
    private func cancel(_ id: String) -> FakeResponse {
        let cancelled: Bool = state.withLock { state in
            guard state.tasks[id]?.status == "PENDING" else { return false }
            state.tasks[id]?.status = "CANCELED"
            return true
        }
        return cancelled ? .json(["request_id": .string(Self.requestID())])
            : error(400, "UnsupportedOperation", "Failed to cancel the task, please confirm if the task is in PENDING status.")
    }

    private func download(_ request: RecordedRequest) -> FakeResponse {
        let id = String(request.path.dropFirst("/oss/".count).prefix { $0 != "." })
        guard tasks[id]?.status == "SUCCEEDED", request.query["Signature"] != nil else {
            return .text("<Error><Code>AccessDenied</Code></Error>", status: 403, contentType: "application/xml")
        }
        return .bytes(clip)
    }

    private final class Box: Sendable {
        private let value = Mutex<FakeDashScopeServer?>(nil)
        var fake: FakeDashScopeServer? {
            get { value.withLock { $0 } }
            set { value.withLock { $0 = newValue } }
        }
    }
}
