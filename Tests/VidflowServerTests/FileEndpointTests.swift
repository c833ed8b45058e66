import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import VidflowCore
import XCTest

final class FileEndpointTests: XCTestCase {
    static func upload(_ client: any TestClientProtocol, token: String, path: String, data: Data, bucket: String? = nil)
        async throws -> TestResponse {
        var form = MultipartBuilder()
        form.field("file_path", path)
        if let bucket { form.field("bucket", bucket) }
        form.file("file", filename: "x.bin", type: "application/octet-stream", data: data)
        var (headers, body) = form.finished()
        headers[.authorization] = "Bearer \(token)"
        return try await client.executeRequest(uri: "/v1/files/upload", method: .post, headers: headers, body: body)
    }

    func testUploadDownloadWithRangeAndDeleteDirectory() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let alice = try await server.token("alice")
        let bob = try await server.token("bob")
        try await server.test(.live) { client in
            let data = Data((0..<1000).map { UInt8($0 % 251) })
            let uploaded = try await Self.upload(client, token: alice, path: "clips/a.mp4", data: data)
            XCTAssertEqual(uploaded.status, .created)
            let info = TestResponse.json(uploaded)
            XCTAssertEqual(info["file_path"], "clips/a.mp4")
            XCTAssertEqual(info["bucket"], "default")
            XCTAssertEqual(info["size"], 1000)
            let url = try XCTUnwrap(info["download_url"]?.stringValue)
            XCTAssertEqual(url, "/v1/files/download/default/clips/a.mp4")

            let auth: HTTPFields = [.authorization: "Bearer \(alice)"]
            let whole = try await client.executeRequest(uri: url, method: .get, headers: auth, body: nil)
            XCTAssertEqual(whole.status, .ok)
            XCTAssertEqual(Data(whole.body.readableBytesView), data)
            XCTAssertEqual(whole.headers[.contentType], "video/mp4")
            XCTAssertEqual(whole.headers[.contentLength], "1000")
            var rangeHeaders = auth
            rangeHeaders[.range] = "bytes=10-19"
            let part = try await client.executeRequest(uri: url, method: .get, headers: rangeHeaders, body: nil)
            XCTAssertEqual(part.status, .partialContent)
            XCTAssertEqual(part.headers[.contentRange], "bytes 10-19/1000")
            XCTAssertEqual(Data(part.body.readableBytesView), data[10..<20])
            rangeHeaders[.range] = "bytes=-5"
            let tail = try await client.executeRequest(uri: url, method: .get, headers: rangeHeaders, body: nil)
            XCTAssertEqual(Data(tail.body.readableBytesView), data[995..<1000])
            rangeHeaders[.range] = "bytes=5000-"
            let outside = try await client.executeRequest(uri: url, method: .get, headers: rangeHeaders, body: nil)
            XCTAssertEqual(outside.status, .rangeNotSatisfiable)

            let other = try await client.executeRequest(uri: url, method: .get, headers: [.authorization: "Bearer \(bob)"], body: nil)
            XCTAssertEqual(other.status, .notFound)

            let deleted = try await client.json(.delete, "/v1/files/directories?directory_path=default/clips", token: alice)
            XCTAssertEqual(deleted.status, .ok)
            let gone = try await client.executeRequest(uri: url, method: .get, headers: auth, body: nil)
            XCTAssertEqual(gone.status, .notFound)
        }
    }

    func testPathTraversalIsRefusedAndNothingOutsideIsTouched() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let alice = try await server.token("alice")
        let outside = server.directory + "/outside.txt"
        try "secret".write(toFile: outside, atomically: true, encoding: .utf8)
        try await server.test { client in
            for path in ["../../outside.txt", "/etc/passwd", "a/../../b", "%2e%2e/%2e%2e/x", "%252e%252e/x", "a\\..\\b"] {
                let answer = try await Self.upload(client, token: alice, path: path, data: Data("x".utf8))
                XCTAssertEqual(answer.status, .badRequest, path)
                XCTAssertEqual(TestResponse.json(answer)["error"]?["field"], "file_path", path)
            }
            let auth: HTTPFields = [.authorization: "Bearer \(alice)"]
            for uri in ["/v1/files/download/..%2F..%2F..%2Foutside.txt", "/v1/files/download/%2e%2e/%2e%2e/outside.txt",
                        "/v1/files/download/%252e%252e/x"] {
                let answer = try await client.executeRequest(uri: uri, method: .get, headers: auth, body: nil)
                XCTAssertEqual(answer.status, .badRequest, uri)
            }
            for directory in ["..", "../..", "%2e%2e", "/tmp", ""] {
                let answer = try await client.json(.delete, "/v1/files/directories?directory_path=\(directory)", token: alice)
                XCTAssertEqual(answer.status, .badRequest, directory)
            }
            // A symlink planted inside the user's storage is not followed.
            _ = try await Self.upload(client, token: alice, path: "ok.txt", data: Data("x".utf8))
            let storage = try XCTUnwrap(FileManager.default.subpathsOfDirectory(atPath: server.arguments.dataDirectory + "/files").first)
            let bucket = server.arguments.dataDirectory + "/files/" + storage + "/default"
            try FileManager.default.createSymbolicLink(atPath: bucket + "/link", withDestinationPath: server.directory)
            let viaLink = try await client.executeRequest(uri: "/v1/files/download/default/link/outside.txt", method: .get,
                                                         headers: auth, body: nil)
            XCTAssertEqual(viaLink.status, .badRequest)
            let writeViaLink = try await Self.upload(client, token: alice, path: "link/evil.txt", data: Data("x".utf8))
            XCTAssertEqual(writeViaLink.status, .badRequest)
            XCTAssertFalse(FileManager.default.fileExists(atPath: server.directory + "/evil.txt"))
            XCTAssertEqual(try String(contentsOfFile: outside, encoding: .utf8), "secret")
        }
    }

    func testALargeUploadStreamsToDiskIntactOverARealSocket() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let alice = try await server.token("alice")
        var block = Data((0..<4093).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        block.append(Data("\r\n--".utf8))
        var blocks = Data()
        while blocks.count < 8 * 1024 * 1024 { blocks.append(block) }
        let data = blocks
        try await server.test(.live) { client in
            let started = Date()
            let uploaded = try await Self.upload(client, token: alice, path: "big/blob.bin", data: data)
            XCTAssertEqual(uploaded.status, .created)
            XCTAssertEqual(TestResponse.json(uploaded)["size"]?.intValue, data.count)
            XCTAssertLessThan(Date().timeIntervalSince(started), 20)
            let back = try await client.executeRequest(uri: "/v1/files/download/default/big/blob.bin", method: .get,
                                                       headers: [.authorization: "Bearer \(alice)"], body: nil)
            XCTAssertEqual(Data(back.body.readableBytesView), data)
        }
        let scratch = try FileManager.default.subpathsOfDirectory(atPath: server.arguments.dataDirectory + "/files")
            .filter { $0.contains(".uploads/") }
        XCTAssertEqual(scratch, [], "temp files are removed")
    }

    func testUploadsOverTheLimitAre413() async throws {
        var server = try TestServer()
        defer { server.remove() }
        server.arguments.maxUploadBytes = 1000
        let alice = try await server.token("alice")
        try await server.test { client in
            let answer = try await Self.upload(client, token: alice, path: "big.bin", data: Data(count: 70_000))
            XCTAssertEqual(answer.status, .contentTooLarge)
            let small = try await Self.upload(client, token: alice, path: "big.bin", data: Data(count: 1001))
            XCTAssertEqual(small.status, .contentTooLarge)
            XCTAssertEqual(TestResponse.json(small)["error"]?["field"], "file")
        }
    }
}

