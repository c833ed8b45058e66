import Foundation
import Synchronization
import VidflowCore
import VidflowProviders

/// A stateful fake of yunwu's "video unified format" on `FakeHTTPServer`: `POST /v1/video/create`,
/// `GET /v1/video/query?id=`, `GET /v1/models`, and public result files under `/files/`. Keys travel as
/// `Authorization: Bearer`; errors use new-api's `{error: {message, type, code}}` envelope. Every id
/// carries a `model:` prefix that the query answer's own `id` drops, so only a client that keeps ids
/// verbatim finds its task. Veo tasks move pending → video_generating → video_generation_completed
/// (→ video_upsampling → completed with `enable_upsample`); other models pending → processing → success.
final class FakeYunwuServer: Sendable {
    /// How a task ends.
    enum Outcome: Sendable {
        case video
        /// Ends in `status` (e.g. `failed`, `video_generation_failed`) with `fail_reason`.
        case failed(status: String, reason: String)
        /// Never leaves the running states.
        case never
    }

    struct Config: Sendable {
        var validKeys: Set<String> = ["test-key"]
        /// Keys whose quota is used up (403 `insufficient_user_quota`).
        var brokeKeys: Set<String> = []
        var outcome: Outcome = .video
        /// Answers given to the first creates instead of a real one.
        var createFailures: [FakeResponse] = []
        var createDelay: Duration?
    }

    private let core: Core
    let server: FakeHTTPServer

    private init(core: Core, server: FakeHTTPServer) {
        self.core = core
        self.server = server
    }

    static func start(video: Data, config: Config = Config()) async throws -> FakeYunwuServer {
        let core = Core(config: config, video: video)
        let server = try await FakeHTTPServer.start { request in core.answer(request) }
        core.state.withLock { $0.origin = server.baseURL }
        return FakeYunwuServer(core: core, server: server)
    }

    func stop() async { await server.stop() }

    var requests: [RecordedRequest] { server.requests }
    var creates: [RecordedRequest] { server.requests("POST", "/v1/video/create") }
    var queries: [RecordedRequest] { server.requests("GET", "/v1/video/query") }
    var files: [RecordedRequest] { server.requests.filter { $0.path.hasPrefix("/files/") } }
    var taskCount: Int { core.state.withLock { $0.tasks.count } }

    func update(_ change: @Sendable (inout Config) -> Void) { core.state.withLock { change(&$0.config) } }

    func settings(keys: [String] = ["test-key"], timeout: Int = 10) -> ProviderSettings {
        ProviderSettings(apiKeys: keys, baseURL: server.baseURL, requestTimeout: timeout)
    }

    /// new-api's error envelope.
    static func error(_ status: Int, _ message: String, code: String = "", type: String = "new_api_error",
                      headers: [(String, String)] = []) -> FakeResponse {
        .json(["error": ["message": .string(message), "type": .string(type), "code": .string(code)]], status: status,
              headers: headers)
    }
}

/// The fake's state and answers.
private final class Core: Sendable {
    struct Job: Sendable {
        var model: String
        var upsample: Bool
        var polls = 0
    }

    struct State: Sendable {
        var config: FakeYunwuServer.Config
        var tasks: [String: Job] = [:]
        var nextID = 1
        var origin = ""
    }

    let state: Mutex<State>
    let video: Data

    init(config: FakeYunwuServer.Config, video: Data) {
        state = Mutex(State(config: config))
        self.video = video
    }

    func answer(_ request: RecordedRequest) -> FakeResponse {
        if request.path.hasPrefix("/files/") { return .bytes(video) }
        let auth = request.headers["authorization"] ?? ""
        let key = auth.hasPrefix("Bearer ") ? String(auth.dropFirst("Bearer ".count)) : ""
        let (valid, broke) = state.withLock { ($0.config.validKeys.contains(key), $0.config.brokeKeys.contains(key)) }
        guard valid else { return FakeYunwuServer.error(401, "无效的令牌 (request id: 20261124abc)") }
        if broke {
            return FakeYunwuServer.error(403, "用户额度不足, 剩余额度: ＄0.000000", code: "insufficient_user_quota")
        }
        switch (request.method, request.path) {
        case ("POST", "/v1/video/create"): return create(request)
        case ("GET", "/v1/video/query"): return query(request.query["id"] ?? "")
        case ("GET", "/v1/models"): return .json(["object": "list", "data": [["id": "veo3.1-fast", "object": "model"]]])
        default: return FakeYunwuServer.error(404, "Invalid URL (\(request.method) \(request.path))", type: "invalid_request_error")
        }
    }

    private func create(_ request: RecordedRequest) -> FakeResponse {
        guard let body = request.json, let model = body["model"]?.stringValue, body["prompt"]?.stringValue != nil else {
            return FakeYunwuServer.error(400, "model and prompt are required", type: "invalid_request_error")
        }
        if let images = body["images"], images.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true {
            return FakeYunwuServer.error(400, "images must be an array of strings", type: "invalid_request_error")
        }
        // Image counts per the relay's notes: -components up to 3, veo2-fast-frames 2 (first + last), other Veo 1.
        let count = body["images"]?.arrayValue?.count ?? 0
        let limit = model.contains("components") ? 3 : model == "veo2-fast-frames" ? 2 : model.hasPrefix("veo") ? 1 : 4
        if count > limit {
            return FakeYunwuServer.error(400, "\(model) accepts at most \(limit) images, got \(count)", type: "invalid_request_error")
        }
        if let watermark = body["watermark"], watermark.boolValue == nil {
            return FakeYunwuServer.error(400, "watermark must be a boolean", type: "invalid_request_error")
        }
        let now = Int(Date().timeIntervalSince1970 * 1000)
        let (scripted, delay, id): (FakeResponse?, Duration?, String) = state.withLock { state in
            if !state.config.createFailures.isEmpty { return (state.config.createFailures.removeFirst(), nil, "") }
            let id = "\(model):\(UUID().uuidString.lowercased().prefix(8))-\(state.nextID)"
            state.nextID += 1
            state.tasks[id] = Job(model: model, upsample: body["enable_upsample"]?.boolValue == true)
            return (nil, state.config.createDelay, id)
        }
        if let scripted { return scripted }
        let answer = FakeResponse.json(["id": .string(id), "status": "pending", "status_update_time": .int(now)])
        return delay.map { answer.delayed($0) } ?? answer
    }

    private func query(_ id: String) -> FakeResponse {
        state.withLock { state in
            guard var task = state.tasks[id] else {
                return FakeYunwuServer.error(404, "task_not_exist", code: "task_not_exist")
            }
            task.polls += 1
            state.tasks[id] = task
            let bare = id.split(separator: ":", maxSplits: 1).last.map(String.init) ?? id
            let url = state.origin + "/files/\(bare).mp4"
            let veo = task.model.hasPrefix("veo")
            // Veo: video_generating, video_generation_completed, [video_upsampling, completed]; others: processing, success.
            var steps: [(String, Bool)] = veo
                ? [("pending", false), ("video_generating", false), ("video_generation_completed", true)]
                : [("pending", false), ("processing", false), ("success", true)]
            if veo && task.upsample { steps += [("video_upsampling", false), ("completed", true)] }
            var status = steps[min(task.polls - 1, steps.count - 1)]
            var object: [String: JSONValue] = ["id": .string(bare), "status_update_time": .int(Int(Date().timeIntervalSince1970 * 1000))]
            switch state.config.outcome {
            case .never:
                status = steps[min(task.polls - 1, 1)]
            case .failed(let failed, let reason) where task.polls >= 2:
                status = (failed, false)
                object["fail_reason"] = .string(reason)
            default:
                break
            }
            object["status"] = .string(status.0)
            if status.1 {
                object["video_url"] = .string(status.0 == "completed" ? url.replacingOccurrences(of: ".mp4", with: "-4k.mp4") : url)
            }
            if veo { object["enhanced_prompt"] = "An enhanced English prompt." }
            return .json(.object(object))
        }
    }
}
