import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import VidflowCore
import VidflowProviders
import XCTest
@testable import VidflowServer

/// YiVideo's top-level workflow parameters reach the stages that declare them, and only those; the
/// files API serves paths without a bucket, answers HEAD, and keeps each user's shared run files to them.
final class WorkflowParametersTests: XCTestCase {
    static let registry = BuiltinStages.registry(providers: ProviderRegistry.standard(dataDirectory: NSTemporaryDirectory()),
                                                 environment: [:])

    static func parameters(_ body: JSONValue) throws -> WorkflowParameters {
        try WorkflowParameters(try JSONObjectReader(body))
    }

    func testEachParameterIsWiredToTheStagesThatDeclareItAndNoOther() throws {
        let chain = WorkflowDefinition(name: "chain", stages: [
            StageDefinition(id: "extract", uses: "ffmpeg.extract_audio"),
            StageDefinition(id: "transcribe", uses: "audio.transcribe", with: ["language": "en"], needs: ["extract"]),
            StageDefinition(id: "diarize", uses: "audio.diarize", needs: ["transcribe"]),
            StageDefinition(id: "subtitles", uses: "subtitles.generate", needs: ["diarize"]),
            StageDefinition(id: "mux", uses: "ffmpeg.mux_subtitles", needs: ["subtitles"]),
        ])
        let given = try Self.parameters(["video_path": "videos/demo.mp4", "language": "zh", "speaker_count": 2,
                                         "enable_optimization": true])
        let wired = given.applied(to: chain, registry: Self.registry)
        let with = Dictionary(uniqueKeysWithValues: wired.stages.map { ($0.id, $0.with) })
        XCTAssertEqual(with["extract"], ["input": "${{ inputs.video_path }}"], "the first stage reads the video")
        XCTAssertEqual(with["transcribe"], ["language": "en"], "a parameter the stage sets itself wins; its input stays chained")
        XCTAssertEqual(with["diarize"], ["language": "${{ inputs.language }}", "speaker_count": "${{ inputs.speaker_count }}"])
        XCTAssertEqual(with["subtitles"], [:], "subtitles.generate declares none of them")
        XCTAssertEqual(with["mux"], ["input": "${{ inputs.video_path }}", "language": "${{ inputs.language }}"],
                       "mux_subtitles' input is not chain-wired: it is the video")
        XCTAssertEqual(wired.inputs.map(\.name).sorted(), ["enable_optimization", "language", "speaker_count", "video_path"])
        XCTAssertEqual(wired.input("video_path")?.type, .file)
        XCTAssertNoThrow(try DefinitionValidator(registry: Self.registry).validate(wired))

        let audio = try Self.parameters(["audio_path": "a.wav"]).applied(to: WorkflowDefinition(name: "a", stages: [
            StageDefinition(id: "transcribe", uses: "faster_whisper.transcribe_audio")]), registry: Self.registry)
        XCTAssertEqual(audio.stages.first?.with, ["input": "${{ inputs.audio_path }}"], "without video_path, audio_path is the input")
    }

    func testBadTopLevelParametersAnswer400NamingTheField() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        try await server.test { client in
            let chain: JSONValue = ["workflow_chain": ["noop"]]
            let cases: [(JSONValue, String)] = [
                (["workflow_config": chain, "video_pathh": "a.mp4"], "video_pathh"),
                (["workflow_config": chain, "speaker_count": "two"], "speaker_count"),
                (["workflow_config": chain, "speaker_count": 0], "speaker_count"),
                (["workflow_config": chain, "language": ""], "language"),
                (["workflow_config": chain, "enable_optimization": "yes"], "enable_optimization"),
                (["workflow_config": chain, "language": "zh", "inputs": ["language": "en"]], "language"),
                (["workflow_config": ["workflow_chain": ["ffmpeg.extract_audio"]], "video_path": "videos/missing.mp4"],
                 "inputs.video_path"),
            ]
            for (body, field) in cases {
                let answer = try await client.json(.post, "/v1/workflows", token: token, body: body)
                XCTAssertEqual(answer.status, .badRequest, "\(body): \(answer.body)")
                XCTAssertEqual(answer.body["error"]?["field"]?.stringValue, field, "\(body): \(answer.body)")
            }
            let runs = try await client.json(.get, "/v1/workflows", token: token)
            XCTAssertEqual(runs.body["items"]?.arrayValue?.count, 0, "no run was created")
        }
    }

    func testDownloadWithoutABucketFallsBackToDefaultAndHeadAnswersHeadersOnly() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        try await server.test(.live) { client in
            let auth: HTTPFields = [.authorization: "Bearer \(token)"]
            let upload = try await FileEndpointTests.upload(client, token: token, path: "videos/result.srt",
                                                            data: Data("1\n00:00:00,000 --> 00:00:01,000\n你好\n".utf8))
            XCTAssertEqual(upload.status, .created)
            let plain = try await client.executeRequest(uri: "/v1/files/download/videos/result.srt", method: .get, headers: auth, body: nil)
            XCTAssertEqual(plain.status, .ok)
            XCTAssertTrue(String(buffer: plain.body).hasSuffix("你好\n"))
            // A bucket named like the first component wins when it holds the file.
            _ = try await FileEndpointTests.upload(client, token: token, path: "result.srt", data: Data("bucket".utf8), bucket: "videos")
            let bucketed = try await client.executeRequest(uri: "/v1/files/download/videos/result.srt", method: .get, headers: auth, body: nil)
            XCTAssertEqual(String(buffer: bucketed.body), "bucket")
            let head = try await client.executeRequest(uri: "/v1/files/download/default/videos/result.srt", method: .head,
                                                       headers: auth, body: nil)
            XCTAssertEqual(head.status, .ok)
            XCTAssertEqual(head.headers[.contentType], "application/x-subrip; charset=utf-8")
            XCTAssertEqual(head.headers[.contentLength], String(plain.body.readableBytes))
            XCTAssertEqual(head.headers[.acceptRanges], "bytes")
            XCTAssertEqual(head.body.readableBytes, 0)
            let missing = try await client.executeRequest(uri: "/v1/files/download/videos/none.srt", method: .head, headers: auth, body: nil)
            XCTAssertEqual(missing.status, .notFound)
        }
    }

    func testAnotherUserCannotReachOrDeleteARunsSharedFiles() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let alice = try await server.token("alice")
        let bob = try await server.token("bob")
        try await server.test(.live) { client in
            let image = try Data(contentsOf: URL(fileURLWithPath: RealChainTests.packageRoot + "/share/samples/sample.jpg"))
            _ = try await FileEndpointTests.upload(client, token: alice, path: "img/cat.jpg", data: image)
            let created = try await client.json(.post, "/v1/workflows", token: alice, body: [
                "definition": ["name": "one", "stages": [["id": "up", "uses": "image.upload", "with": ["source": "img/cat.jpg"]]]]])
            let id = try XCTUnwrap(created.body["workflow_id"]?.stringValue, "\(created.body)")
            let done = try await client.waitForTerminal(id, token: alice)
            XCTAssertEqual(done["status"], "completed", "\(done)")
            let status = try await client.json(.get, "/v1/workflows/status/\(id)", token: alice).body
            let url = "/v1/files/download/share/workflows/\(id)/up.jpg"
            XCTAssertEqual(status["output"]?["files"]?.arrayValue?.first?["download_url"]?.stringValue, url, "\(status)")
            let aliceDownload = try await client.executeRequest(uri: url, method: .get, headers: [.authorization: "Bearer \(alice)"], body: nil)
            XCTAssertEqual(aliceDownload.status, .ok)
            XCTAssertEqual(aliceDownload.body.readableBytes, image.count)
            let root = try FileConfinementTests.userRoot(server, holding: "img/cat.jpg")
            XCTAssertEqual(StorageQuota.used(under: root), image.count, "the hard-linked share does not count toward the quota")
            let bobDownload = try await client.executeRequest(uri: url, method: .get, headers: [.authorization: "Bearer \(bob)"], body: nil)
            XCTAssertEqual(bobDownload.status, .notFound)
            let bobStatus = try await client.json(.get, "/v1/workflows/status/\(id)", token: bob)
            XCTAssertEqual(bobStatus.status, .notFound)
            let bobDelete = try await client.json(.delete, "/v1/files/directories?directory_path=/share/workflows/\(id)", token: bob)
            XCTAssertEqual(bobDelete.status, .notFound)
            let aliceStill = try await client.executeRequest(uri: url, method: .head, headers: [.authorization: "Bearer \(alice)"], body: nil)
            XCTAssertEqual(aliceStill.status, .ok, "bob's attempt deleted nothing")
        }
    }
}
