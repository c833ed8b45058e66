import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import VidflowCore
import XCTest

/// Downloads offer a readable file name in `Content-Disposition`: a run's files the names `vidflow export`
/// gives them, other files their own.
final class DownloadNameTests: XCTestCase {
    static func disposition(_ client: any TestClientProtocol, _ uri: String, token: String,
                            method: HTTPRequest.Method = .get) async throws -> String? {
        let response = try await client.executeRequest(uri: uri, method: method, headers: [.authorization: "Bearer \(token)"], body: nil)
        XCTAssertEqual(response.status, .ok, "\(uri): \(String(buffer: response.body))")
        return response.headers[.contentDisposition]
    }

    static func attachment(_ name: String) -> String { "attachment; filename=\"\(name)\"; filename*=UTF-8''\(name)" }

    func testAVideosDownloadsAreNamedAfterTheWorkflowAndRunLikeExport() async throws {
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
            let status = try await client.json(.get, "/v1/workflows/status/\(id)", token: token)
            let workflow = try XCTUnwrap(status.body["workflow_name"]?.stringValue ?? status.body["workflow"]?.stringValue,
                                         "\(status.body)")
            let base = workflow + "-" + id
            let video = try await Self.disposition(client, "/v1/videos/\(id)/content", token: token)
            XCTAssertEqual(video, Self.attachment(base + ".mp4"))
            let thumbnail = try await Self.disposition(client, "/v1/videos/\(id)/content?variant=thumbnail", token: token)
            XCTAssertEqual(thumbnail, Self.attachment(base + "_thumb.jpg"))
            let sheet = try await Self.disposition(client, "/v1/videos/\(id)/content?variant=spritesheet", token: token)
            XCTAssertEqual(sheet, Self.attachment(base + "_sprites.jpg"))

            // The run's share directory: the final video under the same name, the downloaded one it replaced with its stage.
            let files = try XCTUnwrap(status.body["output"]?["files"]?.arrayValue, "\(status.body)")
            var names: [String: String] = [:]
            for file in files {
                let url = try XCTUnwrap(file["download_url"]?.stringValue)
                names[file["stage"]?.stringValue ?? ""] = try await Self.disposition(client, url, token: token)
            }
            XCTAssertEqual(names["transcode"], Self.attachment(base + ".mp4"), "\(names)")
            XCTAssertEqual(names["thumbnail"], Self.attachment(base + "_thumb.jpg"), "\(names)")
            XCTAssertEqual(names["download"], Self.attachment(base + "_download.mp4"), "\(names)")
            let url = try XCTUnwrap(files.first { $0["stage"]?.stringValue == "transcode" }?["download_url"]?.stringValue)
            let head = try await Self.disposition(client, url, token: token, method: .head)
            XCTAssertEqual(head, Self.attachment(base + ".mp4"), "HEAD answers the same header")
        }
    }

    func testAnUploadedFileIsOfferedUnderItsOwnNameEncodedForOldAndNewClients() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        try await server.test { client in
            let uploaded = try await FileEndpointTests.upload(client, token: token, path: "clips/café \"1\".mp4", data: Data([1, 2, 3]))
            XCTAssertEqual(uploaded.status, .created, String(buffer: uploaded.body))
            let name = try await Self.disposition(client, "/v1/files/download/default/clips/caf%C3%A9%20%221%22.mp4", token: token)
            XCTAssertEqual(name, #"attachment; filename="caf_ _1_.mp4"; filename*=UTF-8''caf%C3%A9%20%221%22.mp4"#)
        }
    }
}
