import Foundation
import Synchronization
import VidflowCore

/// A loopback fake of pyannoteAI's hosted API: `POST /v1/media/input` declares a `media://` object
/// and answers a pre-signed URL (here `/presigned/<key>`, which refuses requests carrying the API key,
/// as S3 refuses a second auth mechanism); `POST /v1/diarize` checks the object was uploaded and
/// creates a job; `GET /v1/jobs/{id}` answers `running` once, then `succeeded` with
/// `output.diarization` — `numSpeakers` turns (default 2) taking turns every second.
final class FakePyannoteServer: Sendable {
    let server: FakeHTTPServer
    let key: String
    private let state = Mutex<(uploads: [String: Int], jobs: [String: (polls: Int, duration: Double, speakers: Int)])>(([:], [:]))

    var baseURL: String { server.baseURL }

    private init(server: FakeHTTPServer, key: String) {
        self.server = server
        self.key = key
    }

    static func start(key: String) async throws -> FakePyannoteServer {
        let box = Mutex<FakePyannoteServer?>(nil)
        let server = try await FakeHTTPServer.start { request in
            guard let fake = box.withLock({ $0 }) else { return .empty(status: 503) }
            return fake.answer(request)
        }
        let fake = FakePyannoteServer(server: server, key: key)
        box.withLock { $0 = fake }
        return fake
    }

    func stop() async { await server.stop() }

    private func answer(_ request: RecordedRequest) -> FakeResponse {
        if request.path.hasPrefix("/presigned/") {
            guard request.method == "PUT", request.headers["authorization"] == nil else {
                return .text("<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>",
                             status: 400, contentType: "application/xml")
            }
            let object = String(request.path.dropFirst("/presigned/".count))
            state.withLock { $0.uploads[object] = request.body.count }
            return .empty(status: 200)
        }
        guard request.headers["authorization"] == "Bearer \(key)" else {
            return .json(["message": "Unauthorized"], status: 401)
        }
        switch (request.method, request.path) {
        case ("POST", "/v1/media/input"):
            guard let url = request.json?["url"]?.stringValue, url.hasPrefix("media://") else {
                return .json(["message": "Validation failed", "errors": ["url must be a media:// url"]], status: 400)
            }
            return .json(["url": .string(baseURL + "/presigned/" + String(url.dropFirst("media://".count)))])
        case ("POST", "/v1/diarize"):
            guard let body = request.json, let url = body["url"]?.stringValue, url.hasPrefix("media://") else {
                return .json(["message": "Validation failed", "errors": ["url is required"]], status: 400)
            }
            guard let bytes = state.withLock({ $0.uploads[String(url.dropFirst("media://".count))] }) else {
                return .json(["message": .string("Media not found: \(url)")], status: 400)
            }
            if let count = body["numSpeakers"], count.intValue == nil {
                return .json(["message": "Validation failed", "errors": ["numSpeakers must be an integer"]], status: 400)
            }
            let id = "job-\(UUID().uuidString.prefix(8).lowercased())"
            let duration = Double(max(0, bytes - 44)) / 32_000
            state.withLock { $0.jobs[id] = (0, duration, body["numSpeakers"]?.intValue ?? 2) }
            return .json(["jobId": .string(id), "status": "created", "message": "Job added to queue"])
        case ("GET", let path) where path.hasPrefix("/v1/jobs/"):
            let id = String(path.dropFirst("/v1/jobs/".count))
            guard let job = state.withLock({ state -> (polls: Int, duration: Double, speakers: Int)? in
                state.jobs[id]?.polls += 1
                return state.jobs[id]
            }) else { return .json(["message": "Job not found"], status: 404) }
            guard job.polls > 1 else { return .json(["jobId": .string(id), "status": "running", "createdAt": "2026-12-03T16:00:00Z"]) }
            var turns: [JSONValue] = []
            var start = 0.0
            while start < job.duration - 0.05 {
                let end = min(job.duration, start + 1)
                turns.append(["speaker": .string(String(format: "SPEAKER_%02d", turns.count % job.speakers)),
                              "start": .double(start), "end": .double(end)])
                start = end
            }
            return .json(["jobId": .string(id), "status": "succeeded", "createdAt": "2026-12-03T16:00:00Z",
                          "output": ["diarization": .array(turns)]])
        default:
            return .json(["message": .string("Cannot \(request.method) \(request.path)")], status: 404)
        }
    }
}
