import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import VidflowCore
import XCTest

/// Multipart bodies are streamed to disk (never whole in memory), limited per part and by each user's
/// storage quota, and leave no temp file behind whatever goes wrong.
final class UploadStorageTests: XCTestCase {
    static func storage(_ server: TestServer, user: String) throws -> String {
        let files = server.arguments.dataDirectory + "/files"
        let users = try FileManager.default.contentsOfDirectory(atPath: files)
        XCTAssertEqual(users.count, 1, "one user's storage: \(users)")
        return files + "/" + (users.first ?? "")
    }

    /// Files left in the users' scratch directories (temp files of uploads), as `<user id>/.uploads/<name>`.
    static func tempFiles(_ server: TestServer) -> [String] {
        let files = server.arguments.dataDirectory + "/files"
        let users = (try? FileManager.default.contentsOfDirectory(atPath: files)) ?? []
        return users.flatMap { user in
            ((try? FileManager.default.contentsOfDirectory(atPath: files + "/" + user + "/.uploads")) ?? []).map { user + "/.uploads/" + $0 }
        }
    }

    static func randomData(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    static func videoForm(_ data: Data, prompt: String = "a cat at a piano") -> (HTTPFields, ByteBuffer) {
        var form = MultipartBuilder()
        form.field("model", "sora-2")
        form.field("prompt", prompt)
        form.file("input_reference", filename: "reference.png", type: "image/png", data: data)
        return form.finished()
    }

    /// The part is on disk while the body is still arriving: the server holds a chunk at a time, not the body.
    func testAVideosInputReferenceIsWrittenToDiskAsItArrivesAndKeptIntact() async throws {
        let server = try VideoEndpointTests.server()
        defer { server.remove() }
        let alice = try await server.token("alice")
        let data = Self.randomData(6 * 1024 * 1024)
        let (headers, body) = Self.videoForm(data)
        let bytes = Array(body.readableBytesView)
        let half = bytes.count / 2
        try await server.test(.live) { client in
            let port = try XCTUnwrap(client.port)
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/videos")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(alice)")
            request.headers.add(name: "Content-Type", value: headers[.contentType] ?? "")
            let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
            request.body = .stream(stream, length: .known(Int64(bytes.count)))
            continuation.yield(ByteBuffer(bytes: bytes[..<half]))
            async let answer = HTTPClient.shared.execute(request, timeout: .seconds(30))
            var partial = 0
            // Waits (up to 5 s) until more than 1 MiB of the first half has reached the temp file.
            for _ in 0..<250 where partial <= 1024 * 1024 {
                try await Task.sleep(for: .milliseconds(20))
                let temp = Self.tempFiles(server).first
                partial = temp.flatMap { name in
                    try? FileManager.default.attributesOfItem(atPath: server.arguments.dataDirectory + "/files/" + name)[.size] as? Int
                } ?? 0
            }
            XCTAssertGreaterThan(partial, 1024 * 1024, "half the part is on disk before the body has ended")
            continuation.yield(ByteBuffer(bytes: bytes[half...]))
            continuation.finish()
            let response = try await answer
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            XCTAssertEqual(response.status, .ok, text)
            let root = try Self.storage(server, user: "alice")
            let inputs = try FileManager.default.contentsOfDirectory(atPath: root + "/videos/inputs")
            XCTAssertEqual(inputs.count, 1)
            let saved = try Data(contentsOf: URL(fileURLWithPath: root + "/videos/inputs/" + (inputs.first ?? "")))
            XCTAssertEqual(saved, data, "the part is kept byte for byte")
            XCTAssertEqual(Self.tempFiles(server), [], "no temp file left")
        }
    }

    func testAPartOverTheLimitIs413NamingItAndLeavesNoTempFile() async throws {
        var server = try VideoEndpointTests.server()
        defer { server.remove() }
        server.arguments.maxUploadBytes = 1024 * 1024
        let alice = try await server.token("alice")
        let world = server
        // 32 KB over the limit: inside the Content-Length margin, so the part is refused while streaming.
        let data = Self.randomData(1024 * 1024 + 32 * 1024)
        try await server.test(.live) { client in
            let upload = try await FileEndpointTests.upload(client, token: alice, path: "big.bin", data: data)
            XCTAssertEqual(upload.status, .contentTooLarge)
            XCTAssertEqual(TestResponse.json(upload)["error"]?["field"], "file")
            var (headers, body) = Self.videoForm(data)
            headers[.authorization] = "Bearer \(alice)"
            let video = try await client.executeRequest(uri: "/v1/videos", method: .post, headers: headers, body: body)
            XCTAssertEqual(video.status, .contentTooLarge)
            XCTAssertEqual(TestResponse.json(video)["error"]?["field"], "input_reference")
            // Far over the limit: refused on its Content-Length, before a byte is written.
            (headers, body) = Self.videoForm(Self.randomData(3 * 1024 * 1024))
            headers[.authorization] = "Bearer \(alice)"
            let huge = try await client.executeRequest(uri: "/v1/videos", method: .post, headers: headers, body: body)
            XCTAssertEqual(huge.status, .contentTooLarge)
            XCTAssertEqual(Self.tempFiles(world), [], "no temp file left")
            let inputs = try? FileManager.default.contentsOfDirectory(atPath: try Self.storage(world, user: "alice") + "/videos/inputs")
            XCTAssertEqual(inputs ?? [], [])
        }
    }

    func testAVideosRequestRefusedAfterItsPartWasSavedLeavesNoFile() async throws {
        let server = try VideoEndpointTests.server()
        defer { server.remove() }
        let alice = try await server.token("alice")
        try await server.test(.live) { client in
            var form = MultipartBuilder()
            form.field("prompt", "a cat")
            form.field("seconds", "-3")
            form.file("input_reference", filename: "reference.png", type: "image/png", data: Self.randomData(200_000))
            var (headers, body) = form.finished()
            headers[.authorization] = "Bearer \(alice)"
            let answer = try await client.executeRequest(uri: "/v1/videos", method: .post, headers: headers, body: body)
            XCTAssertEqual(answer.status, .badRequest)
            XCTAssertEqual(TestResponse.json(answer)["error"]?["field"], "seconds")
            (headers, body) = Self.videoForm(Self.randomData(1000))
            var unknown = MultipartBuilder()
            unknown.file("input_reference", filename: "r.png", type: "image/png", data: Self.randomData(100_000))
            unknown.field("colour", "red")
            (headers, body) = unknown.finished()
            headers[.authorization] = "Bearer \(alice)"
            let refused = try await client.executeRequest(uri: "/v1/videos", method: .post, headers: headers, body: body)
            XCTAssertEqual(TestResponse.json(refused)["error"]?["field"], "colour")
            XCTAssertEqual(Self.tempFiles(server), [])
            let root = try Self.storage(server, user: "alice")
            XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: root + "/videos/inputs")) ?? [], [])
        }
    }

    func testTheQuotaRefusesTheUploadThatWouldExceedItAndAcceptsAfterADelete() async throws {
        var server = try VideoEndpointTests.server()
        defer { server.remove() }
        server.arguments.userQuotaBytes = 1024 * 1024
        let alice = try await server.token("alice")
        let world = server
        let bob = try await server.token("bob")
        try await server.test(.live) { client in
            let first = try await FileEndpointTests.upload(client, token: alice, path: "a.bin", data: Self.randomData(700 * 1024),
                                                           bucket: "clips")
            XCTAssertEqual(first.status, .created)
            // Fits the Content-Length check, passes the quota while streaming: refused mid-body.
            let streamed = try await FileEndpointTests.upload(client, token: alice, path: "b.bin", data: Self.randomData(350 * 1024))
            XCTAssertEqual(streamed.status.code, 507)
            let error = TestResponse.json(streamed)["error"]
            XCTAssertEqual(error?["code"], "quota_exceeded")
            XCTAssertEqual(error?["field"], "file")
            XCTAssertTrue(error?["message"]?.stringValue?.contains("1.0 MB") ?? false, "\(String(describing: error))")
            // Refused on its Content-Length before any byte is stored.
            let declared = try await FileEndpointTests.upload(client, token: alice, path: "c.bin", data: Self.randomData(600 * 1024))
            XCTAssertEqual(declared.status.code, 507)
            var (headers, body) = Self.videoForm(Self.randomData(400 * 1024))
            headers[.authorization] = "Bearer \(alice)"
            let video = try await client.executeRequest(uri: "/v1/videos", method: .post, headers: headers, body: body)
            XCTAssertEqual(video.status.code, 507)
            XCTAssertEqual(TestResponse.json(video)["error"]?["field"], "input_reference")
            XCTAssertEqual(Self.tempFiles(world), [], "no temp file left")

            let other = try await FileEndpointTests.upload(client, token: bob, path: "b.bin", data: Self.randomData(600 * 1024))
            XCTAssertEqual(other.status, .created, "each user has their own quota")

            let deleted = try await client.json(.delete, "/v1/files/directories?directory_path=clips", token: alice)
            XCTAssertEqual(deleted.status, .ok)
            let again = try await FileEndpointTests.upload(client, token: alice, path: "b.bin", data: Self.randomData(600 * 1024))
            XCTAssertEqual(again.status, .created, "room again after the delete")
            (headers, body) = Self.videoForm(Self.randomData(300 * 1024))
            headers[.authorization] = "Bearer \(alice)"
            let fits = try await client.executeRequest(uri: "/v1/videos", method: .post, headers: headers, body: body)
            XCTAssertEqual(fits.status, .ok, String(buffer: fits.body))
        }
    }
}
