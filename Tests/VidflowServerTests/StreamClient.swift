import AsyncHTTPClient
import Foundation
import NIOCore
import VidflowCore
import XCTest

/// Reads SSE streams and posts workflows over real sockets, with a client allowed many connections at once.
struct StreamClient {
    let http: HTTPClient
    let port: Int
    let token: String

    init(port: Int, token: String, connections: Int) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.port = port
        self.token = token
    }

    func shutdown() async throws { try await http.shutdown() }

    /// Reads the stream at `path` until the server ends it, or until `stop` says the frame just read is the last wanted;
    /// fails when that takes longer than `limit` (a hang guard, not a timing target).
    func read(_ path: String, lastEventID: Int64? = nil, limit: Duration = .seconds(60), stop: (@Sendable (SSEFrame) -> Bool)? = nil,
              onFrame: (@Sendable (SSEFrame) -> Void)? = nil) async throws -> [SSEFrame] {
        try await withThrowingTaskGroup(of: [SSEFrame]?.self) { group in
            group.addTask { try await readUnbounded(path, lastEventID: lastEventID, stop: stop, onFrame: onFrame) }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let frames = first else {
                throw RawConnectionError("the stream \(path) did not end within \(limit)")
            }
            return frames
        }
    }

    private func readUnbounded(_ path: String, lastEventID: Int64?, stop: (@Sendable (SSEFrame) -> Bool)?,
                               onFrame: (@Sendable (SSEFrame) -> Void)?) async throws -> [SSEFrame] {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: String(lastEventID)) }
        let response = try await http.execute(request, timeout: .seconds(60))
        XCTAssertEqual(response.status.code, 200)
        var frames: [SSEFrame] = []
        var pending = ""
        for try await chunk in response.body {
            pending += String(buffer: chunk)
            while let end = pending.range(of: "\n\n") {
                let block = String(pending[..<end.lowerBound])
                pending.removeSubrange(..<end.upperBound)
                guard let frame = SSEFrame.parse(block) else { continue }
                frames.append(frame)
                onFrame?(frame)
                if stop?(frame) == true { return frames }
            }
        }
        return frames
    }

    /// Posts a workflow; returns the status code and the workflow id.
    func create(_ body: JSONValue) async throws -> (status: Int, id: String?) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/workflows")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body.canonicalJSON))
        let response = try await http.execute(request, timeout: .seconds(60))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        return (Int(response.status.code), (try? JSONValue.parse(text))?["workflow_id"]?.stringValue)
    }
}

extension SSEFrame {
    /// One SSE block (the text between blank lines); nil for comments and blocks without an id.
    static func parse(_ block: String) -> SSEFrame? {
        var id: Int64?
        var event = "message"
        var data = ""
        for line in block.split(separator: "\n") {
            if line.hasPrefix("id: ") { id = Int64(line.dropFirst(4)) }
            if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
            if line.hasPrefix("data: ") { data += line.dropFirst(6) }
        }
        guard let id else { return nil }
        return SSEFrame(id: id, event: event, data: (try? JSONValue.parse(data)) ?? .null)
    }

    /// Every frame of a stream's text.
    static func parseAll(_ text: String) -> [SSEFrame] {
        text.components(separatedBy: "\n\n").compactMap(parse)
    }
}
