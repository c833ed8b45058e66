import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import VidflowCore
import XCTest

final class VideoEndpointTests: XCTestCase {
    static func server(sleepMs: Int = 0) throws -> TestServer {
        var server = try TestServer()
        server.arguments.extraStages = FakeVideoStage.all(sleepMs: sleepMs)
        return server
    }

    /// Polls a JSON document until `done` says so.
    static func poll(_ client: any TestClientProtocol, _ uri: String, token: String,
                     until done: (JSONValue) -> Bool) async throws -> JSONValue {
        for _ in 0..<300 {
            let answer = try await client.json(.get, uri, token: token)
            if done(answer.body) { return answer.body }
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTFail("\(uri) never got there")
        return .null
    }

    func testGenerateRunsTheChainAndTheTaskServesVideoAndThumbnail() async throws {
        let server = try Self.server()
        defer { server.remove() }
        let alice = try await server.token("alice")
        let bob = try await server.token("bob")
        try await server.test { client in
            let created = try await client.json(.post, "/v1/video/generate", token: alice, body: [
                "prompt": "a red fox", "model": "local", "seconds": 4, "aspect_ratio": "16:9",
                "image_base64": .string(Data([0x89, 0x50, 0x4E, 0x47, 1, 2, 3]).base64EncodedString())])
            XCTAssertEqual(created.status, .accepted)
            XCTAssertEqual(created.body["status"], "pending", "a task not yet started is pending")
            XCTAssertNotNil(created.body["estimated_time_seconds"]?.intValue)
            let id = try XCTUnwrap(created.body["task_id"]?.stringValue)
            let task = try await Self.poll(client, "/v1/video/tasks/\(id)", token: alice) { $0["status"] == "completed" }
            XCTAssertEqual(task["progress"], 100)
            XCTAssertEqual(task["prompt"], "a red fox")
            XCTAssertEqual(task["provider"], "local")
            XCTAssertEqual(task["error"], .null)
            let status = try await client.json(.get, "/v1/workflows/status/\(id)", token: alice)
            XCTAssertEqual(status.body["stage_order"], ["upload", "generate", "poll", "download", "transcode", "thumbnail"])
            let videoURL = try XCTUnwrap(task["video_url"]?.stringValue)
            let video = try await client.executeRequest(uri: videoURL, method: .get,
                                                        headers: [.authorization: "Bearer \(alice)"], body: nil)
            XCTAssertEqual(video.headers[.contentType], "video/mp4")
            XCTAssertTrue(String(buffer: video.body).hasPrefix("ffmpeg.transcode"))
            let thumbnailURL = try XCTUnwrap(task["thumbnail_url"]?.stringValue)
            let thumbnail = try await client.executeRequest(uri: thumbnailURL, method: .get,
                                                            headers: [.authorization: "Bearer \(alice)"], body: nil)
            XCTAssertEqual(thumbnail.headers[.contentType], "image/jpeg")
            let terminal = try await client.json(.delete, "/v1/video/tasks/\(id)", token: alice)
            XCTAssertEqual(terminal.status, .badRequest)
            let history = try await client.json(.get, "/v1/video/history?limit=20", token: alice)
            XCTAssertEqual(history.body["items"]?.arrayValue?.compactMap { $0["task_id"]?.stringValue }, [id])
            let foreign = try await client.json(.get, "/v1/video/tasks/\(id)", token: bob)
            XCTAssertEqual(foreign.status, .notFound)
            let foreignHistory = try await client.json(.get, "/v1/video/history", token: bob)
            XCTAssertEqual(foreignHistory.body["items"], [])
        }
    }

    func testConfigDefaultsReachTheChain() async throws {
        let server = try Self.server()
        defer { server.remove() }
        let admin = try await server.token("root", admin: true)
        try await server.test { client in
            let put = try await client.json(.put, "/v1/config", token: admin, body: [
                "default_provider": "local", "default_aspect_ratio": "9:16", "poll_interval_seconds": 2])
            XCTAssertEqual(put.status, .ok)
            let created = try await client.json(.post, "/v1/video/generate", token: admin, body: ["prompt": "tall"])
            let id = try XCTUnwrap(created.body["task_id"]?.stringValue)
            _ = try await Self.poll(client, "/v1/video/tasks/\(id)", token: admin) { $0["status"] == "completed" }
            let status = try await client.json(.get, "/v1/workflows/status/\(id)", token: admin)
            XCTAssertEqual(status.body["stages"]?["generate"]?["input"]?["aspect_ratio"], "9:16")
            XCTAssertEqual(status.body["stages"]?["poll"]?["input"]?["max_interval"]?.doubleValue, 2)
        }
    }

    func testCancellingARunningTaskAndBadRequests() async throws {
        let server = try Self.server(sleepMs: 3000)
        defer { server.remove() }
        let alice = try await server.token("alice")
        try await server.test { client in
            let created = try await client.json(.post, "/v1/video/generate", token: alice, body: ["prompt": "slow"])
            let id = try XCTUnwrap(created.body["task_id"]?.stringValue)
            _ = try await Self.poll(client, "/v1/video/tasks/\(id)", token: alice) { $0["status"] == "processing" }
            let cancel = try await client.json(.delete, "/v1/video/tasks/\(id)", token: alice)
            XCTAssertEqual(cancel.status, .ok)
            let task = try await Self.poll(client, "/v1/video/tasks/\(id)", token: alice) { $0["status"] == "cancelled" }
            XCTAssertEqual(task["error"]?["code"], "cancelled")
            for (body, field) in [(["prompt": "x", "sizes": "1"] as JSONValue, "sizes"), (["prompt": "x", "size": "big"], "size"),
                                  (["prompt": "x", "seconds": -1], "seconds"), ([:], "prompt"),
                                  (["prompt": "x", "image_url": "ftp://x"], "image_url"), (["prompt": 5], "prompt")] {
                let answer = try await client.json(.post, "/v1/video/generate", token: alice, body: body)
                XCTAssertEqual(answer.status, .badRequest, "\(body)")
                XCTAssertEqual(answer.body["error"]?["field"]?.stringValue, field, "\(body)")
            }
        }
    }

    /// Exactly what `client.videos.create(model=…, prompt=…, seconds="4", size=…, input_reference=open(…))` sends.
    func testOpenAISDKCreateRetrieveDownloadListRemixDelete() async throws {
        let server = try Self.server()
        defer { server.remove() }
        let alice = try await server.token("alice")
        try await server.test { client in
            var form = MultipartBuilder()
            form.field("model", "sora-2")
            form.field("prompt", "A calico cat playing a piano on stage")
            form.field("seconds", "4")
            form.field("size", "720x1280")
            form.file("input_reference", filename: "reference.png", type: "image/png", data: Data([0x89, 0x50, 0x4E, 0x47, 9]))
            var (headers, body) = form.finished()
            headers[.authorization] = "Bearer \(alice)"
            headers[.accept] = "application/json"
            headers[.userAgent] = "OpenAI/Python 2.8.0"
            let created = try await client.executeRequest(uri: "/v1/videos", method: .post, headers: headers, body: body)
            XCTAssertEqual(created.status, .ok)
            let video = TestResponse.json(created)
            XCTAssertEqual(video["object"], "video")
            XCTAssertEqual(video["model"], "sora-2")
            XCTAssertEqual(video["seconds"], "4")
            XCTAssertEqual(video["size"], "720x1280")
            XCTAssertTrue(["queued", "in_progress", "completed"].contains(video["status"]?.stringValue ?? ""))
            XCTAssertNotNil(video["created_at"]?.intValue)
            let id = try XCTUnwrap(video["id"]?.stringValue)
            let done = try await Self.poll(client, "/v1/videos/\(id)", token: alice) { $0["status"] == "completed" }
            XCTAssertEqual(done["progress"], 100)
            XCTAssertNotNil(done["completed_at"]?.intValue)

            let binary: HTTPFields = [.authorization: "Bearer \(alice)", .accept: "application/binary"]
            let content = try await client.executeRequest(uri: "/v1/videos/\(id)/content", method: .get, headers: binary, body: nil)
            XCTAssertEqual(content.headers[.contentType], "video/mp4")
            let thumb = try await client.executeRequest(uri: "/v1/videos/\(id)/content?variant=thumbnail", method: .get,
                                                        headers: binary, body: nil)
            XCTAssertEqual(thumb.headers[.contentType], "image/jpeg")

            let remix = try await client.json(.post, "/v1/videos/\(id)/remix", token: alice, body: ["prompt": "now a violin"])
            XCTAssertEqual(remix.body["remixed_from_video_id"]?.stringValue, id)
            XCTAssertEqual(remix.body["size"], "720x1280")
            let remixID = try XCTUnwrap(remix.body["id"]?.stringValue)
            _ = try await Self.poll(client, "/v1/videos/\(remixID)", token: alice) { $0["status"] == "completed" }

            let list = try await client.json(.get, "/v1/videos?limit=1", token: alice)
            XCTAssertEqual(list.body["object"], "list")
            XCTAssertEqual(list.body["data"]?.arrayValue?.count, 1)
            XCTAssertEqual(list.body["has_more"], true)
            let rest = try await client.json(.get, "/v1/videos?after=\(list.body["last_id"]?.stringValue ?? "")", token: alice)
            XCTAssertEqual(rest.body["data"]?.arrayValue?.count, 1)
            XCTAssertEqual(rest.body["has_more"], false)
            let oldest = try await client.json(.get, "/v1/videos?order=asc&limit=1", token: alice)
            XCTAssertEqual(oldest.body["first_id"]?.stringValue, id)

            let json = try await client.json(.post, "/v1/videos", token: alice, body: [
                "prompt": "json body", "model": "local", "seconds": "8",
                "input_reference": ["image_url": "https://example.com/a.png"]])
            XCTAssertEqual(json.body["seconds"], "8")
            let unknown = try await client.json(.post, "/v1/videos", token: alice, body: ["prompt": "x", "colour": "red"])
            XCTAssertEqual(unknown.body["error"]?["field"], "colour")

            let deleted = try await client.json(.delete, "/v1/videos/\(id)", token: alice)
            XCTAssertEqual(deleted.body, ["id": .string(id), "object": "video.deleted", "deleted": true])
            let gone = try await client.json(.get, "/v1/videos/\(id)", token: alice)
            XCTAssertEqual(gone.status, .notFound)
        }
    }
}
