import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import VidflowCore

/// A loopback stand-in for an OpenAI-compatible `POST /v1/audio/transcriptions`, enough for the server's
/// quickstart test: it wants the bearer key and a multipart body with `file` (a file name) and `model`,
/// and answers `verbose_json` (two Chinese segments) for Whisper models or `diarized_json` (speakers A, B)
/// for `gpt-4o-transcribe-diarize`. The provider tests' `FakeTranscriptionServer` checks the protocol in depth.
enum QuickTranscriptionFake {
    /// The models of the requests it answered, in order.
    final class Log: Sendable {
        let models = Mutex<[String]>([])
        let languages = Mutex<[String?]>([])
    }

    /// Runs `body` with the fake listening on 127.0.0.1; `body` gets its base URL (`http://127.0.0.1:port/v1`).
    static func with(key: String, _ body: @escaping @Sendable (_ baseURL: String, _ log: Log) async throws -> Void) async throws {
        let log = Log()
        let router = Router()
        router.post("v1/audio/transcriptions") { request, _ -> Response in
            guard request.headers[.authorization] == "Bearer \(key)" else { return error(401, "Incorrect API key provided") }
            let data = try await request.body.collect(upTo: 64 * 1024 * 1024)
            let text = String(decoding: data.readableBytesView, as: UTF8.self)
            guard text.contains("name=\"file\"; filename=\""), let model = field("model", in: text), !model.isEmpty else {
                return error(400, "you must provide a file and a model")
            }
            log.models.withLock { $0.append(model) }
            log.languages.withLock { $0.append(field("language", in: text)) }
            if model == "gpt-4o-transcribe-diarize" {
                guard field("response_format", in: text) == "diarized_json" else { return error(400, "response_format") }
                return json(["task": "transcribe", "duration": 2.0, "text": "你好 世界", "segments": [
                    ["type": "transcript.text.segment", "id": "seg_0", "start": 0.0, "end": 1.0, "text": "你好", "speaker": "A"],
                    ["type": "transcript.text.segment", "id": "seg_1", "start": 1.0, "end": 2.0, "text": "世界", "speaker": "B"],
                ]])
            }
            guard field("response_format", in: text) == "verbose_json" else { return error(400, "response_format") }
            return json(["task": "transcribe", "language": "chinese", "duration": 2.0, "text": "你好 世界", "segments": [
                ["id": 0, "seek": 0, "start": 0.0, "end": 1.0, "text": " 你好"],
                ["id": 1, "seek": 0, "start": 1.0, "end": 2.0, "text": " 世界"],
            ]])
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = client.port ?? 0
            try await body("http://127.0.0.1:\(port)/v1", log)
        }
    }

    /// The value of the multipart text field `name`.
    static func field(_ name: String, in body: String) -> String? {
        guard let range = body.range(of: "name=\"\(name)\"\r\n\r\n") else { return nil }
        return String(body[range.upperBound...].prefix { !$0.isNewline })
    }

    private static func json(_ value: JSONValue) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: value.canonicalJSON)))
    }

    private static func error(_ status: Int, _ message: String) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(string: #"{"error":{"message":"\#(message)","type":"invalid_request_error"}}"#)))
    }
}
