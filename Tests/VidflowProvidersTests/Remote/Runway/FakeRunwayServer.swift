import Foundation
import Synchronization
import VidflowCore

/// A fake Runway API on 127.0.0.1: `POST /v1/image_to_video` and `/v1/text_to_video` (answer `{id}`),
/// `GET /v1/tasks/{id}` (PENDING → THROTTLED → RUNNING with `progress` → SUCCEEDED with `output[]`
/// and `cost`), `DELETE /v1/tasks/{id}`, `GET /v1/organization`, and the pre-signed output files.
/// It checks the bearer key and `X-Runway-Version` as Runway does and answers with its `{error}` bodies.
final class FakeRunwayServer: Sendable {
    struct RunwayTask: Sendable {
        var id: String
        var path: String
        var body: JSONValue
        var polls = 0
        var cancelled = false
        var deleted = false
        /// Creation order, from 0 (picks the task's clip and whether it fails).
        var index = 0
    }

    struct Script: Sendable {
        /// Answers for the next creates, before the normal one (e.g. a 429, then a 500).
        var createFailures: [FakeResponse] = []
        /// Answers for the next task reads.
        var statusFailures: [FakeResponse] = []
        /// Delay the first create's answer (after the task was made) by this long.
        var firstCreateDelay: Duration?
        /// Keys accepted; others get 401.
        var validKeys: Set<String> = ["key_good"]
        /// Reads before a task succeeds (the first is PENDING, the second THROTTLED, then RUNNING).
        var pollsToFinish = 4
        /// Tasks never leave RUNNING.
        var stuck = false
        /// Tasks fail with this `failureCode` and `failure` text.
        var failure: (code: String, message: String)?
        /// Only the tasks created in these places (0-based) fail; nil: all do when `failure` is set.
        var failingTasks: Set<Int>?
        /// Delay the answers to every create after the first (after the task was made) by this long.
        var laterCreateDelay: Duration?
        /// A clip per task in creation order (cycling), instead of the one `clip` for all.
        var clips: [Data] = []
    }

    static let models: [String: [String]] = [
        "gen4.5": ["1280:720", "720:1280", "1104:832", "960:960", "832:1104", "1584:672"],
        "gen4_turbo": ["1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672"],
        "gen3a_turbo": ["1280:768", "768:1280"],
        "veo3.1": ["1280:720", "720:1280", "1080:1920", "1920:1080"],
        "veo3.1_fast": ["1280:720", "720:1280", "1080:1920", "1920:1080"],
        "gemini_omni_flash": ["1280:720", "720:1280"],
        "seedance2": ["1280:720", "720:1280", "960:960", "1920:1080", "1080:1920", "3840:2160"],
        "seedance2_fast": ["1280:720", "720:1280", "960:960"],
        "seedance2_mini": ["1280:720", "720:1280", "960:960"],
    ]

    let server: FakeHTTPServer
    private let state: Mutex<(tasks: [String: RunwayTask], script: Script)>
    private let clip: Data

    var baseURL: String { server.baseURL }
    var tasks: [String: RunwayTask] { state.withLock { $0.tasks } }
    /// Creates that made a task.
    var tasksCreated: Int { state.withLock { $0.tasks.count } }
    /// Create requests received (answered or not).
    var createRequests: [RecordedRequest] {
        server.requests.filter { $0.method == "POST" && ($0.path == "/v1/image_to_video" || $0.path == "/v1/text_to_video") }
    }

    private init(server: FakeHTTPServer, state: consuming Mutex<(tasks: [String: RunwayTask], script: Script)>, clip: Data) {
        self.server = server
        self.state = state
        self.clip = clip
    }

    func update(_ change: (inout Script) -> Void) { state.withLock { change(&$0.script) } }

    static func start(clip: Data, script: Script = Script()) async throws -> FakeRunwayServer {
        let box = Box()
        let server = try await FakeHTTPServer.start { request in
            guard let fake = box.fake else { return .empty(status: 503) }
            return fake.answer(request)
        }
        let fake = FakeRunwayServer(server: server, state: Mutex(([:], script)), clip: clip)
        box.fake = fake
        return fake
    }

    func stop() async { await server.stop() }

    /// `promptImage` as Runway validates it: a string, or `{uri, position?}` entries where `first`/`last` mark the
    /// frames (last: veo3.1 and seedance2 family) and position-less entries are reference images (seedance2 family,
    /// at most 9 here); a first frame is required unless the entries are seedance2 references.
    static func checkPromptImage(_ image: JSONValue?, model: String) -> String? {
        func valid(_ uri: String?) -> Bool { uri.map { $0.hasPrefix("data:image/") || $0.hasPrefix("https://") } ?? false }
        if let uri = image?.stringValue { return valid(uri) ? nil : "Validation of body failed: promptImage: Invalid input" }
        guard let entries = image?.arrayValue, !entries.isEmpty else { return "Validation of body failed: promptImage: Required" }
        let seedance = model.hasPrefix("seedance2")
        var references = 0
        for (index, entry) in entries.enumerated() {
            guard valid(entry["uri"]?.stringValue) else { return "Validation of body failed: promptImage.\(index).uri: Invalid input" }
            switch entry["position"]?.stringValue {
            case "first"?: continue
            case "last"?:
                guard seedance || model.hasPrefix("veo3.1") || model == "gen3a_turbo" else {
                    return "Validation of body failed: promptImage.\(index).position: \(model) does not accept a last frame"
                }
            case nil:
                guard seedance else { return "Validation of body failed: promptImage.\(index).position: Required" }
                references += 1
            default:
                return "Validation of body failed: promptImage.\(index).position: Invalid enum value. Expected 'first' | 'last'"
            }
        }
        if references > 9 { return "Validation of body failed: promptImage: at most 9 reference images" }
        if references == 0, !entries.contains(where: { $0["position"] == "first" }) {
            return "Validation of body failed: promptImage: a first frame is required"
        }
        return nil
    }

    private func error(_ status: Int, _ message: String) -> FakeResponse {
        .json(["error": .string(message)], status: status)
    }

    private func answer(_ request: RecordedRequest) -> FakeResponse {
        if request.method == "GET", request.path.hasPrefix("/files/") {
            // Output URLs are pre-signed: no key needed, none expected.
            let id = String(request.path.dropFirst("/files/".count).dropLast(".mp4".count))
            guard let task = tasks[id], !task.deleted, request.query["sig"] == "ok" else { return error(403, "Signature expired") }
            let clips = state.withLock { $0.script.clips }
            return .bytes(clips.isEmpty ? clip : clips[task.index % clips.count])
        }
        let auth = request.headers["authorization"] ?? ""
        let key = auth.hasPrefix("Bearer ") ? String(auth.dropFirst(7)) : ""
        guard state.withLock({ $0.script.validKeys.contains(key) }) else {
            return error(401, "Invalid API key provided.")
        }
        guard request.headers["x-runway-version"] == "2024-11-06" else {
            return error(400, "Invalid or missing X-Runway-Version header. Set it to 2024-11-06.")
        }
        let parts = request.path.split(separator: "/").map(String.init)
        switch (request.method, parts) {
        case ("POST", ["v1", "image_to_video"]), ("POST", ["v1", "text_to_video"]): return create(request)
        case ("GET", ["v1", "organization"]):
            return .json(["creditBalance": 1000, "tier": ["maxMonthlyCreditSpend": 10_000, "models": [:]], "usage": ["models": [:]]])
        case ("GET", let path) where path.count == 3 && path[1] == "tasks": return retrieve(path[2])
        case ("DELETE", let path) where path.count == 3 && path[1] == "tasks": return delete(path[2])
        default: return error(404, "Not found")
        }
    }

    private func create(_ request: RecordedRequest) -> FakeResponse {
        let scripted: FakeResponse? = state.withLock { state in
            state.script.createFailures.isEmpty ? nil : state.script.createFailures.removeFirst()
        }
        if let scripted { return scripted }
        guard let body = request.json, body.objectValue != nil else { return error(400, "Invalid JSON body") }
        let imageToVideo = request.path.hasSuffix("image_to_video")
        guard let model = body["model"]?.stringValue, let ratios = Self.models[model] else {
            return error(400, "Validation of body failed: model: Invalid enum value")
        }
        if imageToVideo {
            if let refusal = Self.checkPromptImage(body["promptImage"], model: model) { return error(400, refusal) }
        } else {
            guard model != "gen4_turbo", model != "gen3a_turbo" else {
                return error(400, "Validation of body failed: model: Invalid enum value")
            }
            guard body["promptText"]?.stringValue?.isEmpty == false else {
                return error(400, "Validation of body failed: promptText: Required")
            }
        }
        if let ratio = body["ratio"]?.stringValue, !ratios.contains(ratio) {
            return error(400, "Validation of body failed: ratio: Invalid enum value. Expected \(ratios.joined(separator: " | "))")
        }
        if model == "gen4.5", body["duration"]?.intValue.map({ (2...10).contains($0) }) != true {
            return error(400, "Validation of body failed: duration: Number must be between 2 and 10")
        }
        if model == "gen3a_turbo" {
            guard body["ratio"] != nil else { return error(400, "Validation of body failed: ratio: Required") }
            guard let duration = body["duration"]?.intValue, [5, 10].contains(duration) else {
                return error(400, "Validation of body failed: duration: Invalid literal value, expected 5 | 10")
            }
            if let text = body["promptText"]?.stringValue, text.count > 512 {
                return error(400, "Validation of body failed: promptText: String must contain at most 512 character(s)")
            }
        }
        var task = RunwayTask(id: UUID().uuidString.lowercased(), path: request.path, body: body)
        let delay: Duration? = state.withLock { state in
            task.index = state.tasks.count
            state.tasks[task.id] = task
            defer { state.script.firstCreateDelay = nil }
            return state.script.firstCreateDelay ?? (task.index > 0 ? state.script.laterCreateDelay : nil)
        }
        let response = FakeResponse.json(["id": .string(task.id)])
        return delay.map { response.delayed($0) } ?? response
    }

    private func retrieve(_ id: String) -> FakeResponse {
        let scripted: FakeResponse? = state.withLock { state in
            state.script.statusFailures.isEmpty ? nil : state.script.statusFailures.removeFirst()
        }
        if let scripted { return scripted }
        let found: (RunwayTask, Script)? = state.withLock { state in
            guard var task = state.tasks[id], !task.deleted else { return nil }
            task.polls += 1
            state.tasks[id] = task
            return (task, state.script)
        }
        guard let (task, script) = found else { return error(404, "Task not found") }
        var object: [String: JSONValue] = ["id": .string(task.id), "createdAt": "2026-11-24T05:00:00.000Z"]
        let credits = (task.body["duration"]?.intValue ?? 5) * 12
        object["estimatedCost"] = ["credits": .int(credits)]
        if task.cancelled {
            object["status"] = "CANCELLED"
        } else if script.stuck || task.polls < script.pollsToFinish {
            switch task.polls {
            case 1 where !script.stuck: object["status"] = "PENDING"
            case 2 where !script.stuck: object["status"] = "THROTTLED"
            default:
                object["status"] = "RUNNING"
                object["progress"] = .double(min(0.9, Double(task.polls) * 0.2))
            }
        } else if let failure = script.failure, script.failingTasks?.contains(task.index) ?? true {
            object["status"] = "FAILED"
            object["failure"] = .string(failure.message)
            object["failureCode"] = .string(failure.code)
        } else {
            object["status"] = "SUCCEEDED"
            object["output"] = [.string(baseURL + "/files/\(task.id).mp4?sig=ok&exp=\(task.polls)")]
            object["cost"] = ["credits": .int(credits)]
        }
        return .json(.object(object))
    }

    private func delete(_ id: String) -> FakeResponse {
        let found: Bool = state.withLock { state in
            guard var task = state.tasks[id], !task.deleted else { return false }
            let finished = !state.script.stuck && task.polls >= state.script.pollsToFinish
            if finished || task.cancelled { task.deleted = true } else { task.cancelled = true }
            state.tasks[id] = task
            return true
        }
        return found ? .empty(status: 204) : error(404, "Task not found")
    }

    private final class Box: Sendable {
        private let value = Mutex<FakeRunwayServer?>(nil)
        var fake: FakeRunwayServer? {
            get { value.withLock { $0 } }
            set { value.withLock { $0 = newValue } }
        }
    }
}
