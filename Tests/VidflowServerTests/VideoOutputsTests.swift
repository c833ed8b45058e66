import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import VidflowCore
import XCTest

/// Several videos per request over HTTP: `num_outputs` on the `local` provider (one video per job) fans
/// out, and the task lists and serves every video; `GET /v1/providers` shows limits, prices and aliases.
final class VideoOutputsTests: XCTestCase {
    func testATaskOfThreeVideosListsAndServesEachOfThem() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("ann")
        try await server.test { client in
            let created = try await client.json(.post, "/v1/video/generate", token: token, body: [
                "prompt": "three takes of a kite", "model": "local", "seconds": 1, "size": "160x90", "num_outputs": 3])
            XCTAssertEqual(created.status, .accepted, "\(created.body)")
            let id = try XCTUnwrap(created.body["task_id"]?.stringValue)
            let task = try await VideoEndpointTests.poll(client, "/v1/video/tasks/\(id)", token: token) {
                ["completed", "failed"].contains($0["status"]?.stringValue ?? "")
            }
            XCTAssertEqual(task["status"], "completed", "\(task)")
            let base = "/v1/video/tasks/\(id)/content?variant=video"
            XCTAssertEqual(task["video_urls"], [.string(base), .string(base + "&index=2"), .string(base + "&index=3")])
            let status = try await client.json(.get, "/v1/workflows/status/\(id)", token: token)
            XCTAssertEqual(status.body["stages"]?["generate"]?["output"]?["job_ids"]?.arrayValue?.count, 3, "three local jobs")
            for url in task["video_urls"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
                let video = try await client.executeRequest(uri: url, method: .get, headers: [.authorization: "Bearer \(token)"],
                                                            body: nil)
                XCTAssertEqual(video.status, .ok, url)
                XCTAssertEqual(video.headers[.contentType], "video/mp4")
                XCTAssertGreaterThan(video.body.readableBytes, 1000)
            }
            let missing = try await client.json(.get, base + "&index=4", token: token)
            XCTAssertEqual(missing.status, .notFound)
            let bad = try await client.json(.get, base + "&index=0", token: token)
            XCTAssertEqual(bad.status, .badRequest)
            XCTAssertEqual(bad.body["error"]?["field"], "index")
            let thumbnail = try await client.json(.get, "/v1/video/tasks/\(id)/content?variant=thumbnail&index=2", token: token)
            XCTAssertEqual(thumbnail.status, .badRequest, "one thumbnail, of the first video")
        }
    }

    func testTheOpenAIFacadeTakesNAndServesEachVideo() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("ann")
        try await server.test { client in
            let created = try await client.json(.post, "/v1/videos", token: token, body: [
                "prompt": "two takes", "model": "local", "seconds": "1", "size": "160x90", "n": 2])
            XCTAssertEqual(created.status, .ok, "\(created.body)")
            let id = try XCTUnwrap(created.body["id"]?.stringValue)
            let video = try await VideoEndpointTests.poll(client, "/v1/videos/\(id)", token: token) {
                ["completed", "failed"].contains($0["status"]?.stringValue ?? "")
            }
            XCTAssertEqual(video["status"], "completed", "\(video)")
            let second = try await client.executeRequest(uri: "/v1/videos/\(id)/content?index=2", method: .get,
                                                         headers: [.authorization: "Bearer \(token)"], body: nil)
            XCTAssertEqual(second.status, .ok)
            XCTAssertEqual(second.headers[.contentType], "video/mp4")
            let third = try await client.json(.get, "/v1/videos/\(id)/content?index=3", token: token)
            XCTAssertEqual(third.status, .notFound, "two videos only")
            let tooMany = try await client.json(.post, "/v1/videos", token: token, body: ["prompt": "x", "model": "local", "n": 5])
            XCTAssertEqual(tooMany.status, .badRequest)
            XCTAssertEqual(tooMany.body["error"]?["field"], "n")
        }
    }

    func testProvidersListEveryModelWithLimitsPriceAndAliases() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("ann")
        try await server.test { client in
            let (status, body) = try await client.json(.get, "/v1/providers", token: token)
            XCTAssertEqual(status, .ok)
            let providers = body["providers"]?.arrayValue ?? []
            let runway = try XCTUnwrap(providers.first { $0["name"] == "runway" })
            let models = runway["models"]?.arrayValue ?? []
            let turbo = try XCTUnwrap(models.first { $0["id"] == "gen3a_turbo" }, "gen3a_turbo is listed beside gen4")
            XCTAssertTrue(models.contains { $0["id"] == "gen4.5" })
            XCTAssertEqual(turbo["seconds"], [5, 10])
            XCTAssertEqual(turbo["sizes"], ["1280x768", "768x1280"])
            XCTAssertEqual(turbo["image"], "required")
            XCTAssertEqual(turbo["max_outputs"], 1)
            XCTAssertEqual(turbo["max_videos"], 8)
            XCTAssertEqual(turbo["fan_out"], true)
            XCTAssertEqual(turbo["price"]?["per_second"], 0.05)
            XCTAssertEqual(turbo["price"]?["currency"], "USD")
            XCTAssertEqual(models.first { $0["id"] == "gen4.5" }?["image"], "optional")
            XCTAssertEqual(models.first { $0["id"] == "happyhorse_1_0" }?["price"], .null, "an unknown price is null")
            let google = try XCTUnwrap(providers.first { $0["name"] == "google" })
            XCTAssertEqual(google["aliases"]?["veo-2"], "veo-2.0-generate-001", "an alias names the model it resolves to")
            let veo2 = google["models"]?.arrayValue?.first { $0["id"] == "veo-2.0-generate-001" }
            XCTAssertEqual(veo2?["aliases"], ["veo-2"])
            XCTAssertEqual(veo2?["max_outputs"], 2)
            XCTAssertEqual(veo2?["fan_out"], false)
        }
    }
}
