import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import VidflowCore
import XCTest

/// `/v1/video/generate` takes images up to 10 MB as `image_base64` (a 16 MiB body limit on that route
/// only), saved into the user's storage instead of the run's definition; or an uploaded file as
/// `image_file`, resolved like every stage file parameter. `/v1/videos` runs the same model check.
final class VideoImageInputTests: XCTestCase {
    /// The image files saved under the data directory's user storage (`files/<user>/videos/inputs`).
    private static func savedImages(_ server: TestServer) -> [String] {
        let files = server.arguments.dataDirectory + "/files"
        let users = (try? FileManager.default.contentsOfDirectory(atPath: files)) ?? []
        return users.flatMap { user in
            let inputs = files + "/" + user + "/videos/inputs"
            return ((try? FileManager.default.contentsOfDirectory(atPath: inputs)) ?? []).map { inputs + "/" + $0 }
        }
    }

    func testANineMegabyteBase64ImageIsAcceptedAndSavedAsAFileNotInTheDefinition() async throws {
        let server = try VideoEndpointTests.server()
        defer { server.remove() }
        let alice = try await server.token("alice")
        let image = Data([0x89, 0x50, 0x4E, 0x47]) + Data(repeating: 7, count: 9 * 1024 * 1024)
        try await server.test { client in
            let body: JSONValue = ["prompt": "a fox", "model": "local", "seconds": 4, "idempotency_key": "fox-1",
                                   "image_base64": .string(image.base64EncodedString())]
            let created = try await client.json(.post, "/v1/video/generate", token: alice, body: body)
            XCTAssertEqual(created.status, .accepted, "\(created.body)")
            let id = try XCTUnwrap(created.body["task_id"]?.stringValue)
            let again = try await client.json(.post, "/v1/video/generate", token: alice, body: body)
            XCTAssertEqual(again.body["task_id"]?.stringValue, id, "the idempotency key answers the first task")
            let status = try await client.json(.get, "/v1/workflows/status/\(id)", token: alice)
            let source = try XCTUnwrap(status.body["stages"]?["upload"]?["input"]?["source"]?.stringValue)
            XCTAssertFalse(source.hasPrefix("data:"), "the image is a file, not text in the definition")
            XCTAssertLessThan(source.count, 200)
            XCTAssertTrue(source.hasSuffix(".png"), source)
            let saved = Self.savedImages(server)
            XCTAssertEqual(saved.count, 1, "the repeated request's copy is removed: \(saved)")
            XCTAssertEqual(saved.first.flatMap { FileManager.default.contents(atPath: $0) }, image)
            // The same image elsewhere still meets the 1 MiB JSON limit.
            let workflow = try await client.json(.post, "/v1/workflows", token: alice,
                                                 body: ["workflow": "x", "inputs": ["a": .string(image.base64EncodedString())]])
            XCTAssertEqual(workflow.status, .contentTooLarge)
        }
    }

    func testAnImageOverTenMegabytesOrABodyOverSixteenMebibytesIsRefusedNamingTheFieldAndSavesNothing() async throws {
        let server = try VideoEndpointTests.server()
        defer { server.remove() }
        let alice = try await server.token("alice")
        try await server.test { client in
            let tooBig = Data(repeating: 1, count: 10 * 1024 * 1024 + 1).base64EncodedString()
            let refused = try await client.json(.post, "/v1/video/generate", token: alice,
                                                body: ["prompt": "a fox", "model": "local", "image_base64": .string(tooBig)])
            XCTAssertEqual(refused.status, .contentTooLarge, "\(refused.body)")
            XCTAssertEqual(refused.body["error"]?["field"], "image_base64")
            let dataURI = try await client.json(.post, "/v1/video/generate", token: alice,
                                                body: ["prompt": "a fox", "model": "local",
                                                       "image_base64": .string("data:image/png;base64," + tooBig)])
            XCTAssertEqual(dataURI.status, .contentTooLarge)
            XCTAssertEqual(dataURI.body["error"]?["field"], "image_base64")
            let huge = String(repeating: "A", count: 17 * 1024 * 1024)
            let body = try await client.json(.post, "/v1/video/generate", token: alice,
                                             body: ["prompt": "a fox", "image_base64": .string(huge)])
            XCTAssertEqual(body.status, .contentTooLarge)
            // Refused by the model after the image was saved: the file is removed again.
            let small = Data([0xFF, 0xD8, 0xFF, 1, 2, 3]).base64EncodedString()
            let model = try await client.json(.post, "/v1/video/generate", token: alice, body: [
                "prompt": "a fox", "provider": "google", "seconds": 5, "image_base64": .string(small)])
            XCTAssertEqual(model.status, .badRequest, "\(model.body)")
            XCTAssertEqual(model.body["error"]?["field"], "seconds")
            XCTAssertEqual(Self.savedImages(server), [], "no image left behind")
            let history = try await client.json(.get, "/v1/video/history", token: alice)
            XCTAssertEqual(history.body["items"], [], "no task was made")
        }
    }

    func testAnUploadedImageFileIsUsedByBucketPathOrFilePathAndAnotherUsersOrAMissingFileIsA400() async throws {
        let server = try VideoEndpointTests.server()
        defer { server.remove() }
        let alice = try await server.token("alice")
        let bob = try await server.token("bob")
        try await server.test { client in
            let image = Data([0x89, 0x50, 0x4E, 0x47, 9, 9])
            let upload = try await FileEndpointTests.upload(client, token: alice, path: "refs/cat.png", data: image)
            XCTAssertEqual(upload.status, .created, String(buffer: upload.body))
            let inBucket = try await FileEndpointTests.upload(client, token: alice, path: "dog.png", data: image, bucket: "pets")
            XCTAssertEqual(inBucket.status, .created, String(buffer: inBucket.body))
            for reference in ["refs/cat.png", "pets/dog.png"] {
                let created = try await client.json(.post, "/v1/video/generate", token: alice,
                                                    body: ["prompt": "a cat", "model": "local", "image_file": .string(reference)])
                XCTAssertEqual(created.status, .accepted, "\(reference): \(created.body)")
                let id = try XCTUnwrap(created.body["task_id"]?.stringValue)
                let task = try await VideoEndpointTests.poll(client, "/v1/video/tasks/\(id)", token: alice) {
                    ["completed", "failed"].contains($0["status"]?.stringValue ?? "")
                }
                XCTAssertEqual(task["status"], "completed", "\(task)")
                let status = try await client.json(.get, "/v1/workflows/status/\(id)", token: alice)
                let source = status.body["stages"]?["upload"]?["input"]?["source"]?.stringValue ?? ""
                XCTAssertTrue(source.hasSuffix(reference.split(separator: "/").last.map(String.init) ?? "?"), source)
            }
            let cases: [(token: String, body: JSONValue, field: String)] = [
                (bob, ["prompt": "a cat", "image_file": "refs/cat.png"], "image_file"),
                (alice, ["prompt": "a cat", "image_file": "refs/missing.png"], "image_file"),
                (alice, ["prompt": "a cat", "image_file": "../../vidflow.sqlite"], "image_file"),
                (alice, ["prompt": "a cat", "image_file": "/etc/passwd"], "image_file"),
                (alice, ["prompt": "a cat", "image_file": "refs/cat.png", "image_url": "https://example.com/a.png"], "image_file"),
            ]
            for (token, body, field) in cases {
                let answer = try await client.json(.post, "/v1/video/generate", token: token, body: body)
                XCTAssertEqual(answer.status, .badRequest, "\(body): \(answer.body)")
                XCTAssertEqual(answer.body["error"]?["field"]?.stringValue, field, "\(body)")
            }
        }
    }

    func testOpenAIVideosCreateRunsTheModelCheckBeforeMakingATask() async throws {
        let server = try VideoEndpointTests.server()
        defer { server.remove() }
        let alice = try await server.token("alice")
        try await server.test { client in
            let refused = try await client.json(.post, "/v1/videos", token: alice,
                                                body: ["prompt": "a fox", "model": "sora-2", "seconds": "5"])
            XCTAssertEqual(refused.status, .badRequest, "\(refused.body)")
            XCTAssertEqual(refused.body["error"]?["field"], "seconds")
            let message = refused.body["error"]?["message"]?.stringValue ?? ""
            XCTAssertTrue(message.contains("4") && message.contains("8") && message.contains("12"), message)
            let list = try await client.json(.get, "/v1/videos", token: alice)
            XCTAssertEqual(list.body["data"], [], "no task was made: \(list.body)")
            let fine = try await client.json(.post, "/v1/videos", token: alice,
                                             body: ["prompt": "a fox", "model": "sora-2", "seconds": "8"])
            XCTAssertEqual(fine.status, .ok, "\(fine.body)")
        }
    }
}
