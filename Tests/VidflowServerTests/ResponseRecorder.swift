import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Synchronization
import VidflowCore

/// Records the answers a test client gets, one JSON line each (`method`, `path`, `status`,
/// `content_type`, `body`), for `scripts/check-response-schemas.py` to check against `share/openapi.yaml`.
///
/// `ResponseSchemaTests` records its own requests. With `VIDFLOW_RECORD_RESPONSES=FILE` in the
/// environment, every `TestServer.test` appends its answers to FILE too, so a whole run of the suite can
/// be checked afterwards:
///
/// ```sh
/// VIDFLOW_RECORD_RESPONSES=/tmp/answers.jsonl swift test --filter VidflowServerTests
/// .venv/bin/python scripts/check-response-schemas.py share/openapi.yaml /tmp/answers.jsonl
/// ```
final class ResponseRecorder: Sendable {
    private let lines = Mutex<[String]>([])
    private let file: String?

    /// `file`: also append each line there as it comes (nil: keep them in memory only).
    init(appendingTo file: String? = nil) {
        self.file = file
    }

    /// The recorder of `VIDFLOW_RECORD_RESPONSES`, if set.
    static let suite: ResponseRecorder? = ProcessInfo.processInfo.environment["VIDFLOW_RECORD_RESPONSES"]
        .flatMap { $0.isEmpty ? nil : ResponseRecorder(appendingTo: $0) }

    /// The lines recorded so far.
    var recorded: [String] { lines.withLock { $0 } }

    func record(method: HTTPRequest.Method, uri: String, response: TestResponse) {
        let contentType = response.headers[.contentType]
        // Only JSON bodies are checked; files and streams are kept out of the recording.
        let isJSON = contentType?.hasPrefix("application/json") == true
        let line = JSONValue.object([
            "method": .string(method.rawValue), "path": .string(uri), "status": .int(response.status.code),
            "content_type": contentType.map(JSONValue.string) ?? .null,
            "body": .string(isJSON ? String(buffer: response.body) : ""),
        ]).canonicalJSON
        lines.withLock { lines in
            lines.append(line)
            guard let file else { return }
            if !FileManager.default.fileExists(atPath: file) { FileManager.default.createFile(atPath: file, contents: nil) }
            guard let handle = FileHandle(forWritingAtPath: file) else { return }
            handle.seekToEndOfFile()
            handle.write(Data((line + "\n").utf8))
            try? handle.close()
        }
    }

    /// Writes the recorded lines to `path` (JSON Lines).
    func write(to path: String) throws {
        try (recorded.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }
}

/// A test client that records every answer it gets.
struct RecordingClient: TestClientProtocol {
    let base: any TestClientProtocol
    let recorder: ResponseRecorder

    var port: Int? { base.port }

    func executeRequest(uri: String, method: HTTPRequest.Method, headers: HTTPFields,
                        body: ByteBuffer?) async throws -> TestResponse {
        let response = try await base.executeRequest(uri: uri, method: method, headers: headers, body: body)
        recorder.record(method: method, uri: uri, response: response)
        return response
    }
}
