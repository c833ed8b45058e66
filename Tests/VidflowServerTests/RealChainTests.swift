import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import VidflowCore
import XCTest

/// The video endpoints over the real built-in stages and the offline `local` provider (FFmpeg, no network).
final class RealChainTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    func testGenerateWithTheLocalProviderMakesAnMP4AndAJPEGThumbnail() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        try await server.test { client in
            let created = try await client.json(.post, "/v1/video/generate", token: token, body: [
                "prompt": "a paper boat", "model": "local", "seconds": 1, "size": "320x180", "seed": 3])
            XCTAssertEqual(created.status, .accepted, "\(created.body)")
            let id = try XCTUnwrap(created.body["task_id"]?.stringValue)
            let task = try await VideoEndpointTests.poll(client, "/v1/video/tasks/\(id)", token: token) {
                ["completed", "failed"].contains($0["status"]?.stringValue ?? "")
            }
            XCTAssertEqual(task["status"], "completed", "\(task)")
            let auth: HTTPFields = [.authorization: "Bearer \(token)"]
            let video = try await client.executeRequest(uri: "/v1/video/tasks/\(id)/content?variant=video", method: .get,
                                                        headers: auth, body: nil)
            XCTAssertEqual(Array(Data(video.body.readableBytesView)[4..<8]), Array("ftyp".utf8))
            let thumbnail = try await client.executeRequest(uri: "/v1/video/tasks/\(id)/content?variant=thumbnail",
                                                            method: .get, headers: auth, body: nil)
            XCTAssertEqual(Array(Data(thumbnail.body.readableBytesView).prefix(2)), [0xFF, 0xD8])
            let providers = try await client.json(.post, "/v1/providers/local/test-connection", token: token)
            XCTAssertEqual(providers.body["ok"], true)
            let unknown = try await client.json(.post, "/v1/providers/nope/test-connection", token: token)
            XCTAssertEqual(unknown.status, .notFound)
        }
    }

    func testOpenAIMultipartWithAnImageReferenceAndANamedWorkflow() async throws {
        var server = try TestServer()
        defer { server.remove() }
        server.arguments.workflowsDirectory = Self.packageRoot + "/workflows"
        let token = try await server.token("alice")
        let image = try Data(contentsOf: URL(fileURLWithPath: Self.packageRoot + "/share/samples/sample.jpg"))
        try await server.test { client in
            var form = MultipartBuilder()
            form.field("model", "local")
            form.field("prompt", "a slow push-in")
            form.field("seconds", "1")
            form.field("size", "320x180")
            form.file("input_reference", filename: "sample.jpg", type: "image/jpeg", data: image)
            var (headers, body) = form.finished()
            headers[.authorization] = "Bearer \(token)"
            let created = try await client.executeRequest(uri: "/v1/videos", method: .post, headers: headers, body: body)
            let id = try XCTUnwrap(TestResponse.json(created)["id"]?.stringValue, "\(TestResponse.json(created))")
            let done = try await VideoEndpointTests.poll(client, "/v1/videos/\(id)", token: token) {
                ["completed", "failed"].contains($0["status"]?.stringValue ?? "")
            }
            XCTAssertEqual(done["status"], "completed", "\(done)")
            let status = try await client.json(.get, "/v1/workflows/status/\(id)", token: token)
            XCTAssertEqual(status.body["stages"]?["upload"]?["status"], "completed")

            let named = try await client.json(.post, "/v1/workflows", token: token, body: [
                "workflow": "text-to-video", "inputs": ["seconds": 1, "resolution": "240p"], "dry_run": true])
            XCTAssertEqual(named.status, .ok, "\(named.body)")
            XCTAssertEqual(named.body["tasks_total"], 5)
        }
    }
}
