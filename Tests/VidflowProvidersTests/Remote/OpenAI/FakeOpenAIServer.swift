import Foundation
import Synchronization
import VidflowCore

/// A fake OpenAI Videos API on 127.0.0.1: `POST /videos` (multipart or JSON), `GET /videos/{id}`,
/// `GET /videos`, `GET /videos/{id}/content`, `DELETE /videos/{id}`, with OpenAI's object shapes,
/// status progression (queued → in_progress → completed over `pollsToFinish` polls) and error envelopes.
final class FakeOpenAIServer: Sendable {
    struct Video: Sendable {
        var id: String
        var model: String
        var prompt: String
        var seconds: String
        var size: String
        var createdAt: Int
        var polls = 0
        var deleted = false
        var remixedFrom: String?
    }

    struct Script: Sendable {
        /// Answers for the next creates, before the normal one (e.g. a 429, then a 500).
        var createFailures: [FakeResponse] = []
        /// Answers for the next status requests.
        var statusFailures: [FakeResponse] = []
        /// Delay the first create's answer (after the job was made) by this long.
        var firstCreateDelay: Duration?
        /// Keys accepted; others get 401.
        var validKeys: Set<String> = ["sk-test-good"]
        var pollsToFinish = 2
        /// Jobs never leave in_progress.
        var stuck = false
        /// Jobs fail with this error code and message.
        var failure: (code: String, message: String)?
    }

    let server: FakeHTTPServer
    private let state: Mutex<(videos: [String: Video], script: Script, creates: Int)>
    private let clip: Data

    var baseURL: String { server.baseURL + "/v1" }
    var videos: [String: Video] { state.withLock { $0.videos } }
    /// Creates that made a job.
    var jobsCreated: Int { state.withLock { $0.videos.count } }

    private init(server: FakeHTTPServer, state: consuming Mutex<(videos: [String: Video], script: Script, creates: Int)>, clip: Data) {
        self.server = server
        self.state = state
        self.clip = clip
    }

    func update(_ change: (inout Script) -> Void) { state.withLock { change(&$0.script) } }

    static func start(clip: Data, script: Script = Script()) async throws -> FakeOpenAIServer {
        let box = Box()
        let server = try await FakeHTTPServer.start { request in
            guard let fake = box.fake else { return .empty(status: 503) }
            return fake.answer(request)
        }
        let fake = FakeOpenAIServer(server: server, state: Mutex(([:], script, 0)), clip: clip)
        box.fake = fake
        return fake
    }

    func stop() async { await server.stop() }

    private func error(_ status: Int, _ message: String, type: String = "invalid_request_error", code: String? = nil) -> FakeResponse {
        .json(["error": ["message": .string(message), "type": .string(type), "param": .null,
                         "code": code.map(JSONValue.string) ?? .null]], status: status)
    }

    private func object(_ video: Video, status: String, progress: Int) -> JSONValue {
        let script = state.withLock { $0.script }
        var object: [String: JSONValue] = [
            "id": .string(video.id), "object": "video", "model": .string(video.model), "status": .string(status),
            "progress": .int(progress), "created_at": .int(video.createdAt), "completed_at": .null, "expires_at": .null,
            "prompt": .string(video.prompt), "size": .string(video.size), "seconds": .string(video.seconds),
            "remixed_from_video_id": video.remixedFrom.map(JSONValue.string) ?? .null, "error": .null,
        ]
        if status == "completed" {
            object["completed_at"] = .int(video.createdAt + 5)
            object["expires_at"] = .int(Int(Date().timeIntervalSince1970) + 3600)
        }
        if status == "failed", let failure = script.failure {
            object["error"] = ["code": .string(failure.code), "message": .string(failure.message)]
        }
        return .object(object)
    }

    private func answer(_ request: RecordedRequest) -> FakeResponse {
        let auth = request.headers["authorization"] ?? ""
        let key = auth.hasPrefix("Bearer ") ? String(auth.dropFirst(7)) : ""
        guard state.withLock({ $0.script.validKeys.contains(key) }) else {
            return error(401, "Incorrect API key provided: \(key.prefix(6))****.", code: "invalid_api_key")
        }
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.first == "v1", parts.count >= 2, parts[1] == "videos" else { return error(404, "Unknown path") }
        switch (request.method, parts.count) {
        case ("POST", 2): return create(request)
        case ("GET", 2): return list()
        case ("GET", 3): return retrieve(parts[2])
        case ("GET", 4) where parts[3] == "content": return content(parts[2], variant: request.query["variant"] ?? "video")
        case ("DELETE", 3): return delete(parts[2])
        case ("POST", 4) where parts[3] == "remix": return remix(parts[2], request)
        default: return error(404, "Unknown path")
        }
    }

    private func create(_ request: RecordedRequest) -> FakeResponse {
        let fields = request.headers["content-type"]?.hasPrefix("multipart/form-data") == true
            ? request.multipartFields
            : (request.json?.objectValue ?? [:]).mapValues { $0.stringValue ?? $0.canonicalJSON }
        let scripted: FakeResponse? = state.withLock { state in
            state.script.createFailures.isEmpty ? nil : state.script.createFailures.removeFirst()
        }
        if let scripted { return scripted }
        guard let prompt = fields["prompt"], !prompt.isEmpty else { return error(400, "Missing required parameter: 'prompt'.") }
        let seconds = fields["seconds"] ?? "4"
        guard ["4", "8", "12"].contains(seconds) else {
            return error(400, "Invalid value: '\(seconds)'. Supported values are: '4', '8', and '12'.")
        }
        let video = Video(id: "video_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(24).lowercased(),
                          model: fields["model"] ?? "sora-2", prompt: prompt, seconds: seconds, size: fields["size"] ?? "720x1280",
                          createdAt: Int(Date().timeIntervalSince1970))
        let delay: Duration? = state.withLock { state in
            state.videos[video.id] = video
            state.creates += 1
            defer { state.script.firstCreateDelay = nil }
            return state.script.firstCreateDelay
        }
        let response = FakeResponse.json(object(video, status: "queued", progress: 0))
        return delay.map { response.delayed($0) } ?? response
    }

    /// `POST /videos/{id}/remix` (JSON `{prompt}`): only a completed video can be remixed.
    private func remix(_ id: String, _ request: RecordedRequest) -> FakeResponse {
        guard let prompt = request.json?["prompt"]?.stringValue, !prompt.isEmpty else {
            return error(400, "Missing required parameter: 'prompt'.")
        }
        guard let source = videos[id], !source.deleted else { return error(404, "Video with id '\(id)' not found.") }
        guard source.polls >= state.withLock({ $0.script.pollsToFinish }) else {
            return error(400, "Video '\(id)' is not completed; only completed videos can be remixed.")
        }
        var video = Video(id: "video_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(24).lowercased(),
                          model: source.model, prompt: prompt, seconds: source.seconds, size: source.size,
                          createdAt: Int(Date().timeIntervalSince1970))
        video.remixedFrom = id
        state.withLock { $0.videos[video.id] = video }
        return .json(object(video, status: "queued", progress: 0))
    }

    private func retrieve(_ id: String) -> FakeResponse {
        let scripted: FakeResponse? = state.withLock { state in
            state.script.statusFailures.isEmpty ? nil : state.script.statusFailures.removeFirst()
        }
        if let scripted { return scripted }
        let found: (Video, Script)? = state.withLock { state in
            guard var video = state.videos[id], !video.deleted else { return nil }
            video.polls += 1
            state.videos[id] = video
            return (video, state.script)
        }
        guard let (video, script) = found else { return error(404, "Video with id '\(id)' not found.") }
        let headers = [("openai-poll-after-ms", "20")]
        if script.stuck || video.polls < script.pollsToFinish {
            let status = video.polls <= 1 && !script.stuck ? "queued" : "in_progress"
            return .json(object(video, status: status, progress: min(95, video.polls * 30)), headers: headers)
        }
        if script.failure != nil { return .json(object(video, status: "failed", progress: 100), headers: headers) }
        return .json(object(video, status: "completed", progress: 100), headers: headers)
    }

    private func list() -> FakeResponse {
        let videos = state.withLock { $0.videos.values.filter { !$0.deleted }.sorted { $0.createdAt > $1.createdAt } }
        let data = videos.map { object($0, status: "in_progress", progress: 10) }
        return .json(["object": "list", "data": .array(data), "first_id": data.first?["id"] ?? .null,
                      "last_id": data.last?["id"] ?? .null, "has_more": false])
    }

    private func content(_ id: String, variant: String) -> FakeResponse {
        guard let video = videos[id], !video.deleted else { return error(404, "Video with id '\(id)' not found.") }
        guard video.polls >= state.withLock({ $0.script.pollsToFinish }) else { return error(400, "Video is not ready yet.") }
        return variant == "video" ? .bytes(clip) : error(400, "Unsupported variant '\(variant)'.")
    }

    private func delete(_ id: String) -> FakeResponse {
        let existed: Bool = state.withLock { state in
            guard state.videos[id] != nil else { return false }
            state.videos[id]?.deleted = true
            return true
        }
        return existed ? .json(["id": .string(id), "object": "video.deleted", "deleted": true])
            : error(404, "Video with id '\(id)' not found.")
    }

    private final class Box: Sendable {
        private let value = Mutex<FakeOpenAIServer?>(nil)
        var fake: FakeOpenAIServer? {
            get { value.withLock { $0 } }
            set { value.withLock { $0 = newValue } }
        }
    }
}
