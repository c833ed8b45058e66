import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import VidflowCore
import XCTest

final class EventStreamTests: XCTestCase {
    /// Reads an SSE stream over a real socket until it ends; returns its frames.
    static func read(port: Int, path: String, token: String, lastEventID: Int64? = nil) async throws -> [SSEFrame] {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: String(lastEventID)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        XCTAssertEqual(response.status.code, 200)
        XCTAssertEqual(response.headers.first(name: "content-type"), "text/event-stream")
        var text = ""
        for try await chunk in response.body { text += String(buffer: chunk) }
        return SSEFrame.parseAll(text)
    }

    func testEventsStreamProgressAndDoneAndResumeAfterLastEventID() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        try await server.test(.live) { client in
            let port = try XCTUnwrap(client.port)
            let created = try await client.json(.post, "/v1/workflows", token: token, body: ["definition": Docs.pair(sleepMs: 200)])
            let id = try XCTUnwrap(created.body["workflow_id"]?.stringValue)
            let frames = try await Self.read(port: port, path: "/v1/workflows/\(id)/events", token: token)
            XCTAssertEqual(frames.last?.event, "done")
            XCTAssertEqual(frames.last?.data["status"], "completed")
            XCTAssertTrue(frames.contains { $0.event == "progress" && $0.data["stage"] == "a" && $0.data["percent"] == 100 })
            XCTAssertEqual(frames.map(\.id), frames.map(\.id).sorted())
            XCTAssertTrue(frames.allSatisfy { $0.data["workflow_id"]?.stringValue == id })

            let middle = frames[frames.count / 2].id
            let resumed = try await Self.read(port: port, path: "/v1/workflows/\(id)/events", token: token, lastEventID: middle)
            XCTAssertEqual(resumed, frames.filter { $0.id > middle })

            let second = try await client.json(.post, "/v1/workflows", token: token, body: ["definition": Docs.pair()])
            let other = try XCTUnwrap(second.body["workflow_id"]?.stringValue)
            let both = try await Self.read(port: port, path: "/v1/events?ids=\(id),\(other)", token: token)
            XCTAssertEqual(Set(both.filter { $0.event == "done" }.compactMap { $0.data["workflow_id"]?.stringValue }), [id, other])

            let bad = try await client.json(.get, "/v1/workflows/\(id)/events", token: token,
                                            headers: [HTTPField.Name("Last-Event-ID")!: "abc"])
            XCTAssertEqual(bad.body["error"]?["field"], "Last-Event-ID")
        }
    }
}
