import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import VidflowCore
import XCTest

/// `GET /v1/videos/{id}/content?variant=spritesheet`, made in-process from the finished video.
final class SpriteSheetEndpointTests: XCTestCase {
    /// Width and height from a baseline or progressive JPEG's start-of-frame segment.
    private static func jpegSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        guard bytes.starts(with: [0xFF, 0xD8]) else { return nil }
        var index = 2
        while index + 9 < bytes.count, bytes[index] == 0xFF {
            let marker = bytes[index + 1]
            let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            if (0xC0...0xC2).contains(marker) {
                return (Int(bytes[index + 7]) << 8 | Int(bytes[index + 8]), Int(bytes[index + 5]) << 8 | Int(bytes[index + 6]))
            }
            index += 2 + length
        }
        return nil
    }

    private static func keptSheets(_ server: TestServer) -> [String] {
        let root = server.arguments.dataDirectory
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".spritesheet.jpg") }
    }

    func testSpritesheetOfAFinishedVideoIsAFiveByFiveJPEGKeptForTheNextRequest() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        try await server.test { client in
            let created = try await client.json(.post, "/v1/videos", token: token, body: [
                "prompt": "a paper boat", "model": "local", "seconds": "1", "size": "320x180"])
            let id = try XCTUnwrap(created.body["id"]?.stringValue, "\(created.body)")
            let done = try await VideoEndpointTests.poll(client, "/v1/videos/\(id)", token: token) {
                ["completed", "failed"].contains($0["status"]?.stringValue ?? "")
            }
            XCTAssertEqual(done["status"], "completed", "\(done)")
            XCTAssertEqual(Self.keptSheets(server), [])
            let auth: HTTPFields = [.authorization: "Bearer \(token)"]
            let uri = "/v1/videos/\(id)/content?variant=spritesheet"
            // Two at once: both wait on the one sheet being made.
            async let racing = client.executeRequest(uri: uri, method: .get, headers: auth, body: nil)
            let first = try await client.executeRequest(uri: uri, method: .get, headers: auth, body: nil)
            let raced = try await racing
            XCTAssertEqual(raced.status, .ok)
            XCTAssertEqual(Data(raced.body.readableBytesView), Data(first.body.readableBytesView))
            XCTAssertEqual(first.status, .ok)
            XCTAssertEqual(first.headers[.contentType], "image/jpeg")
            let bytes = [UInt8](first.body.readableBytesView)
            let size = try XCTUnwrap(Self.jpegSize(bytes), "a JPEG")
            XCTAssertEqual(size.width, 5 * 256)
            XCTAssertEqual(size.height, 5 * 144)
            XCTAssertEqual(Self.keptSheets(server).count, 1, "the sheet is kept beside the video")

            let second = try await client.executeRequest(uri: uri, method: .get, headers: auth, body: nil)
            XCTAssertEqual([UInt8](second.body.readableBytesView), bytes)
            var ranged = auth
            ranged[.range] = "bytes=0-1"
            let head = try await client.executeRequest(uri: uri, method: .get, headers: ranged, body: nil)
            XCTAssertEqual(head.status, .partialContent)
            XCTAssertEqual([UInt8](head.body.readableBytesView), [0xFF, 0xD8])
            XCTAssertEqual(Self.keptSheets(server).count, 1)

            let bad = try await client.json(.get, "/v1/videos/\(id)/content?variant=sprites", token: token)
            XCTAssertEqual(bad.status, .badRequest)
            XCTAssertEqual(bad.body["error"]?["field"], "variant")
        }
    }

    func testSpritesheetBeforeTheVideoIsReadyIs404AndAnUndecodableVideoIs422() async throws {
        var slow = try TestServer()
        defer { slow.remove() }
        slow.arguments.extraStages = FakeVideoStage.all(sleepMs: 2000)
        let token = try await slow.token("alice")
        try await slow.test { client in
            let created = try await client.json(.post, "/v1/videos", token: token, body: ["prompt": "still rendering"])
            let id = try XCTUnwrap(created.body["id"]?.stringValue, "\(created.body)")
            let early = try await client.json(.get, "/v1/videos/\(id)/content?variant=spritesheet", token: token)
            XCTAssertEqual(early.status, .notFound)
            XCTAssertEqual(early.body["error"]?["field"], "variant")
            XCTAssertEqual(early.body["error"]?["message"], "the spritesheet is not ready")
        }
        // The fake chain's "video" is text: finished, but nothing to decode.
        let fake = try VideoEndpointTests.server()
        defer { fake.remove() }
        let fakeToken = try await fake.token("bob")
        try await fake.test { client in
            let created = try await client.json(.post, "/v1/videos", token: fakeToken, body: ["prompt": "text, not pixels"])
            let id = try XCTUnwrap(created.body["id"]?.stringValue, "\(created.body)")
            _ = try await VideoEndpointTests.poll(client, "/v1/videos/\(id)", token: fakeToken) { $0["status"] == "completed" }
            let answer = try await client.json(.get, "/v1/videos/\(id)/content?variant=spritesheet", token: fakeToken)
            XCTAssertEqual(answer.status, .unprocessableContent)
            XCTAssertEqual(answer.body["error"]?["code"], "unprocessable_video")
            XCTAssertEqual(Self.keptSheets(fake), [], "no half-written sheet is kept")
        }
    }
}
