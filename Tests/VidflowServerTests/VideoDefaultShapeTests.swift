import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import VidflowCore
import XCTest

/// `/v1/config`'s `default_size` and `default_aspect_ratio` reach a request that gives no shape, each only
/// where the model takes it; otherwise the model's own default applies.
final class VideoDefaultShapeTests: XCTestCase {
    func testTheDefaultSizeShapesTheLocalOutput() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let admin = try await server.token("root", admin: true)
        try await server.test { client in
            let put = try await client.json(.put, "/v1/config", token: admin, body: ["default_size": "320x180"])
            XCTAssertEqual(put.status, .ok, "\(put.body)")
            let created = try await client.json(.post, "/v1/video/generate", token: admin,
                                                body: ["prompt": "a small boat", "model": "local", "seconds": 1])
            XCTAssertEqual(created.status, .accepted, "\(created.body)")
            let id = try XCTUnwrap(created.body["task_id"]?.stringValue)
            let task = try await VideoEndpointTests.poll(client, "/v1/video/tasks/\(id)", token: admin) {
                ["completed", "failed"].contains($0["status"]?.stringValue ?? "")
            }
            XCTAssertEqual(task["status"], "completed", "\(task)")
            let status = try await client.json(.get, "/v1/workflows/status/\(id)", token: admin)
            XCTAssertEqual(status.body["stages"]?["generate"]?["input"]?["size"], "320x180")
            XCTAssertEqual(status.body["stages"]?["download"]?["output"]?["width"], 320, "\(status.body)")
            XCTAssertEqual(status.body["stages"]?["download"]?["output"]?["height"], 180)
        }
    }

    func testTheDefaultRatioGoesOnlyToModelsThatTakeIt() async throws {
        let server = try VideoEndpointTests.server()
        defer { server.remove() }
        let admin = try await server.token("root", admin: true)
        try await server.test { client in
            let bad = try await client.json(.put, "/v1/config", token: admin, body: ["default_size": "huge"])
            XCTAssertEqual(bad.status, .badRequest)
            XCTAssertEqual(bad.body["error"]?["field"], "default_size")
            func generateInput(_ body: JSONValue) async throws -> JSONValue? {
                let created = try await client.json(.post, "/v1/video/generate", token: admin, body: body)
                XCTAssertEqual(created.status, .accepted, "\(body): \(created.body)")
                let id = try XCTUnwrap(created.body["task_id"]?.stringValue)
                let status = try await client.json(.get, "/v1/workflows/status/\(id)", token: admin)
                return status.body["stages"]?["generate"]?["input"]
            }
            // grok-video-3 takes 2:3, 3:2 and 1:1 only, and no size: neither default is sent.
            let grok = try await generateInput(["prompt": "x", "model": "grok-video-3"])
            XCTAssertEqual(grok?["aspect_ratio"], nil)
            XCTAssertEqual(grok?["size"], nil)
            // Veo 3 through the relay takes 16:9 but no exact size: the ratio is sent.
            let relayVeo = try await generateInput(["prompt": "x", "provider": "yunwu", "model": "veo3"])
            XCTAssertEqual(relayVeo?["aspect_ratio"], "16:9")
            XCTAssertEqual(relayVeo?["size"], nil)
            // Veo at Google takes 1280x720: the default size is sent.
            let veo = try await generateInput(["prompt": "x", "provider": "google", "duration": 8])
            XCTAssertEqual(veo?["size"], "1280x720")
            // A shape in the request wins over both defaults.
            let own = try await generateInput(["prompt": "x", "model": "grok-video-3", "aspect_ratio": "2:3"])
            XCTAssertEqual(own?["aspect_ratio"], "2:3")
        }
    }
}
