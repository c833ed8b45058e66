import Foundation
import Synchronization
import VidflowCore

/// A loopback fake of OpenAI's `POST /v1/audio/transcriptions`, strict as the real service: bearer
/// key, multipart with a `file` part (a file name with an audio extension) and `model`, the
/// `response_format` each model accepts, `timestamp_granularities[]` only with `verbose_json`,
/// `chunking_strategy` required for diarization over 30 s, no `prompt` for diarization, and the
/// upload size limit (413 over it). Answers `verbose_json` (two segments per upload, half the audio
/// each), `json`, or `diarized_json` (speakers A and B alternating every second).
final class FakeTranscriptionServer: Sendable {
    let server: FakeHTTPServer
    let key: String
    /// Uploads larger than this are refused like OpenAI refuses files over 25 MB.
    let maxUploadBytes: Int
    private let state = Mutex<(answered: Int, uploads: [Upload], script: [FakeResponse])>((0, [], []))

    /// One accepted upload: its text fields and the WAV duration of its file.
    struct Upload: Sendable {
        var fields: [String: String]
        var filename: String
        var bytes: Int
        var duration: Double
    }

    var uploads: [Upload] { state.withLock { $0.uploads } }
    var baseURL: String { server.baseURL + "/v1" }

    private init(server: FakeHTTPServer, key: String, maxUploadBytes: Int) {
        self.server = server
        self.key = key
        self.maxUploadBytes = maxUploadBytes
    }

    /// Answers queued here are sent first, one per request (e.g. a 429), before the normal behaviour.
    func enqueue(_ responses: FakeResponse...) { state.withLock { $0.script.append(contentsOf: responses) } }

    static func start(key: String, maxUploadBytes: Int = 25 * 1024 * 1024) async throws -> FakeTranscriptionServer {
        let box = Mutex<FakeTranscriptionServer?>(nil)
        let server = try await FakeHTTPServer.start { request in
            guard let fake = box.withLock({ $0 }) else { return .empty(status: 503) }
            return fake.answer(request)
        }
        let fake = FakeTranscriptionServer(server: server, key: key, maxUploadBytes: maxUploadBytes)
        box.withLock { $0 = fake }
        return fake
    }

    func stop() async { await server.stop() }

    private func error(_ status: Int, _ message: String, code: String? = nil) -> FakeResponse {
        .json(["error": ["message": .string(message), "type": "invalid_request_error", "param": .null,
                         "code": code.map { .string($0) } ?? .null]], status: status)
    }

    private func answer(_ request: RecordedRequest) -> FakeResponse {
        guard request.method == "POST", request.path == "/v1/audio/transcriptions" else {
            return error(404, "Invalid URL (\(request.method) \(request.path))")
        }
        let bearer = request.headers["authorization"] ?? ""
        guard bearer == "Bearer \(key)" else {
            let given = bearer.replacingOccurrences(of: "Bearer ", with: "")
            return error(401, "Incorrect API key provided: \(given). You can find your API key at https://platform.openai.com/account/api-keys.",
                         code: "invalid_api_key")
        }
        if let scripted = state.withLock({ $0.script.isEmpty ? nil : $0.script.removeFirst() }) { return scripted }
        guard request.body.count <= maxUploadBytes else {
            return error(413, "Maximum content size limit (\(maxUploadBytes)) exceeded (\(request.body.count) bytes read)")
        }
        guard let parts = Self.multipart(request) else { return error(400, "Could not parse multipart form") }
        var fields: [String: String] = [:]
        var file: (name: String, bytes: [UInt8])?
        for part in parts {
            if let filename = part.filename { if part.name == "file" { file = (filename, part.body) } } else {
                fields[part.name] = String(decoding: part.body, as: UTF8.self)
            }
        }
        guard let file else { return error(400, "you must provide a file parameter") }
        guard let model = fields["model"], !model.isEmpty else { return error(400, "you must provide a model parameter") }
        let ext = (file.name as NSString).pathExtension.lowercased()
        guard ["flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm"].contains(ext) else {
            return error(400, "Unrecognized file format. Supported formats: ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm']")
        }
        guard let duration = TestWAV.duration(of: file.bytes) else { return error(400, "Audio file might be corrupted or unsupported") }
        let format = fields["response_format"] ?? "json"
        let diarize = model == "gpt-4o-transcribe-diarize"
        let allowed = diarize ? ["json", "text", "diarized_json"] : model == "whisper-1"
            ? ["json", "text", "srt", "verbose_json", "vtt"] : ["json", "text"]
        guard allowed.contains(format) else {
            return error(400, "response_format '\(format)' is not compatible with model '\(model)'")
        }
        if fields["timestamp_granularities[]"] != nil, format != "verbose_json" {
            return error(400, "timestamp_granularities requires response_format=verbose_json")
        }
        if diarize, fields["prompt"] != nil { return error(400, "Prompt is not supported for diarization models") }
        if diarize, duration > 30, fields["chunking_strategy"] == nil {
            return error(400, "chunking_strategy is required for diarization models when input is longer than 30 seconds")
        }
        let index = state.withLock { state in
            state.answered += 1
            state.uploads.append(Upload(fields: fields, filename: file.name, bytes: file.bytes.count, duration: duration))
            return state.answered
        }
        return .json(Self.transcript(duration: duration, index: index, format: format))
    }

    private static func transcript(duration: Double, index: Int, format: String) -> JSONValue {
        let half = (duration / 2 * 1000).rounded() / 1000
        switch format {
        case "verbose_json":
            let segments: [JSONValue] = [(0.0, half, " upload \(index) first"), (half, duration, " upload \(index) second")]
                .enumerated().map { id, segment in
                    ["id": .int(id), "seek": 0, "start": .double(segment.0), "end": .double(segment.1), "text": .string(segment.2),
                     "tokens": [50364, 1025], "temperature": 0.0, "avg_logprob": -0.2, "compression_ratio": 1.1, "no_speech_prob": 0.01]
                }
            return ["task": "transcribe", "language": "english", "duration": .double(duration),
                    "text": .string("upload \(index) first upload \(index) second"), "segments": .array(segments)]
        case "diarized_json":
            var segments: [JSONValue] = []
            var start = 0.0
            while start < duration - 0.05 {
                let end = min(duration, start + 1)
                let speaker = segments.count % 2 == 0 ? "A" : "B"
                segments.append(["type": "transcript.text.segment", "id": .string("seg_\(segments.count)"),
                                 "start": .double(start), "end": .double(end), "text": .string("line \(segments.count)"),
                                 "speaker": .string(speaker)])
                start = end
            }
            return ["task": "transcribe", "duration": .double(duration), "text": "diarized", "segments": .array(segments),
                    "usage": ["type": "duration", "seconds": .int(Int(duration.rounded(.up)))]]
        default:
            return ["text": .string("upload \(index) text")]
        }
    }

    /// The parts of a multipart/form-data body, with their raw bytes.
    static func multipart(_ request: RecordedRequest) -> [(name: String, filename: String?, body: [UInt8])]? {
        guard let type = request.headers["content-type"], type.hasPrefix("multipart/form-data"),
              let range = type.range(of: "boundary=") else { return nil }
        let boundary = Array(("--" + type[range.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: "\""))).utf8)
        let body = [UInt8](request.body)
        var parts: [(String, String?, [UInt8])] = []
        var positions: [Int] = []
        var index = 0
        while index + boundary.count <= body.count {
            if body[index] == boundary[0], Array(body[index..<(index + boundary.count)]) == boundary {
                positions.append(index)
                index += boundary.count
            } else {
                index += 1
            }
        }
        guard positions.count >= 2 else { return nil }
        for (from, to) in zip(positions, positions.dropFirst()) {
            var part = Array(body[(from + boundary.count)..<to])
            guard part.count >= 4 else { continue }
            part.removeFirst(2)   // CRLF after the boundary
            if part.suffix(2) == [13, 10] { part.removeLast(2) }
            guard let split = (0..<(max(0, part.count - 3))).first(where: { part[$0...($0 + 3)].elementsEqual([13, 10, 13, 10]) }) else { return nil }
            let head = String(decoding: part[..<split], as: UTF8.self)
            let content = Array(part[(split + 4)...])
            guard let nameRange = head.range(of: "name=\"") else { return nil }
            let name = String(head[nameRange.upperBound...].prefix { $0 != "\"" })
            let filename = head.range(of: "filename=\"").map { String(head[$0.upperBound...].prefix { $0 != "\"" }) }
            parts.append((name, filename, content))
        }
        return parts
    }
}
