import Foundation
import VidflowCore

/// pyannoteAI's hosted diarization (`https://api.pyannote.ai`), its real protocol: declare a
/// temporary `media://` object (`POST /v1/media/input` → a pre-signed URL), `PUT` the audio there,
/// create a job (`POST /v1/diarize` with `url` and `numSpeakers`), then poll `GET /v1/jobs/{id}`
/// until `succeeded` and read `output.diarization` (`[{speaker, start, end}]`).
struct PyannoteDiarizationAPI: Sendable {
    let http: ProviderHTTPClient
    /// For the pre-signed upload URL, which must not carry the API key.
    let storage: ProviderHTTPClient
    var pollInterval: Duration = .seconds(2)

    init(http: ProviderHTTPClient) {
        self.http = http
        var storage = ProviderHTTPClient(provider: http.provider, baseURL: http.baseURL, keys: APIKeyPool(["presigned-url"])) { _ in [] }
        storage.timeout = http.timeout
        self.storage = storage
    }

    /// Uploads `audio` as `media://<key>` and creates the diarization job; returns its `jobId`.
    func submit(_ audio: Data, key: String, contentType: String, speakerCount: Int?) async throws(ProviderError) -> String {
        let media = "media://" + key
        let declared = try await http.json(ProviderHTTPRequest("POST", "/v1/media/input", body: .json(["url": .string(media)]),
                                                                operation: "declare upload \(media)"))
        guard let upload = declared["url"]?.stringValue, !upload.isEmpty else {
            throw ProviderError(provider: http.provider, operation: "declare upload \(media)", kind: .transient,
                                message: "the answer names no upload URL", jobCertainlyNotCreated: true)
        }
        _ = try await storage.send(ProviderHTTPRequest("PUT", upload, body: .raw(audio, contentType: contentType),
                                                       operation: "upload \(media)"))
        var body: [String: JSONValue] = ["url": .string(media)]
        if let speakerCount { body["numSpeakers"] = .int(speakerCount) }
        let created = try await http.json(ProviderHTTPRequest("POST", "/v1/diarize", body: .json(.object(body)),
                                                              operation: "submit", isCreate: true))
        return try http.createdJobID(created["jobId"], in: created, operation: "submit")
    }

    /// Polls job `id` until it ends; the speaker turns of a succeeded job.
    func result(of id: String, timeout: Duration, progress: @Sendable (String) async -> Void) async throws -> [TranscriptSegment] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let job = try await http.json(ProviderHTTPRequest("GET", "/v1/jobs/\(id)", operation: "status of job \(id)"))
            let status = job["status"]?.stringValue ?? ""
            switch status {
            case "succeeded":
                return (job["output"]?["diarization"]?.arrayValue ?? []).compactMap { turn in
                    guard let start = turn["start"]?.doubleValue, let end = turn["end"]?.doubleValue else { return nil }
                    return TranscriptSegment(start: start, end: end, text: "", speaker: turn["speaker"]?.stringValue)
                }
            case "failed", "canceled":
                let reason = job["output"]?["error"]?.stringValue ?? job["error"]?.stringValue ?? status
                throw StageFailure(.providerFailed, "pyannote job \(id) \(status): \(SecretScrubber.scrub(reason))")
            default:
                await progress(status)
                guard ContinuousClock.now < deadline else {
                    throw StageFailure(.timeout, "pyannote job \(id) still \(status) after \(timeout)")
                }
                try await Task.sleep(for: pollInterval)
            }
        }
    }
}
