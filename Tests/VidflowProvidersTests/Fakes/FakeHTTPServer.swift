import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization
import VidflowCore

/// One request a fake provider received, recorded for assertions.
struct RecordedRequest: Sendable {
    var method: String
    /// The path without the query string.
    var path: String
    var query: [String: String]
    /// Header names lower-cased.
    var headers: [String: String]
    var body: Data

    var json: JSONValue? { try? JSONValue.parse(String(decoding: body, as: UTF8.self)) }
    var text: String { String(decoding: body, as: UTF8.self) }

    /// The fields of a multipart/form-data body: value text for fields, `file:<filename>:<bytes>` for files.
    var multipartFields: [String: String] {
        guard let type = headers["content-type"], let range = type.range(of: "boundary=") else { return [:] }
        let boundary = "--" + type[range.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        // Latin-1 maps every byte to one scalar, so binary parts keep their length.
        let raw = String(String.UnicodeScalarView(body.map { Unicode.Scalar($0) }))
        var fields: [String: String] = [:]
        for part in raw.components(separatedBy: boundary) {
            guard let split = part.range(of: "\r\n\r\n") else { continue }
            let head = part[..<split.lowerBound]
            var scalars = Array(part[split.upperBound...].unicodeScalars)
            if scalars.suffix(2).map(\.value) == [13, 10] { scalars.removeLast(2) }
            guard let nameRange = head.range(of: "name=\"") else { continue }
            let name = String(head[nameRange.upperBound...].prefix { $0 != "\"" })
            if let fileRange = head.range(of: "filename=\"") {
                let file = String(head[fileRange.upperBound...].prefix { $0 != "\"" })
                fields[name] = "file:\(file):\(scalars.count)"
            } else {
                fields[name] = String(decoding: scalars.map { UInt8(truncatingIfNeeded: $0.value) }, as: UTF8.self)
            }
        }
        return fields
    }
}

/// What a fake provider answers.
struct FakeResponse: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: Data
    /// Wait this long before answering (to make the client time out after sending).
    var delay: Duration?

    static func json(_ value: JSONValue, status: Int = 200, headers: [(String, String)] = []) -> FakeResponse {
        FakeResponse(status: status, headers: [("Content-Type", "application/json")] + headers,
                     body: Data(value.canonicalJSON.utf8))
    }

    static func text(_ text: String, status: Int = 200, contentType: String = "text/plain") -> FakeResponse {
        FakeResponse(status: status, headers: [("Content-Type", contentType)], body: Data(text.utf8))
    }

    static func bytes(_ data: Data, contentType: String = "video/mp4") -> FakeResponse {
        FakeResponse(status: 200, headers: [("Content-Type", contentType)], body: data)
    }

    static func empty(status: Int = 204) -> FakeResponse { FakeResponse(status: status, headers: [], body: Data()) }

    func delayed(_ delay: Duration) -> FakeResponse {
        var copy = self
        copy.delay = delay
        return copy
    }
}

/// A real HTTP server on 127.0.0.1 (a free port) whose answers come from a closure; fake providers
/// are written on top of it. Every request is recorded.
///
/// ```swift
/// let server = try await FakeHTTPServer.start { request in .json(["id": "task_1"]) }
/// defer { Task { await server.stop() } }
/// ```
final class FakeHTTPServer: Sendable {
    typealias Handler = @Sendable (RecordedRequest) async -> FakeResponse

    let port: Int
    /// The loopback address it listens on (127.0.0.1 unless asked for another, e.g. 127.0.0.2).
    let host: String
    private let task: Task<Void, any Error>
    private let recorded: Log

    private init(port: Int, host: String, task: Task<Void, any Error>, recorded: Log) {
        self.port = port
        self.host = host
        self.task = task
        self.recorded = recorded
    }

    var baseURL: String { "http://\(host):\(port)" }
    var requests: [RecordedRequest] { recorded.entries.withLock { $0 } }

    /// Requests whose method and path match.
    func requests(_ method: String, _ path: String) -> [RecordedRequest] {
        requests.filter { $0.method == method && $0.path == path }
    }

    static func start(host: String = "127.0.0.1", _ handler: @escaping Handler) async throws -> FakeHTTPServer {
        let box = Log()
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let body = try await request.body.collect(upTo: 64 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            var query: [String: String] = [:]
            for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
            let recorded = RecordedRequest(method: request.method.rawValue, path: request.uri.path, query: query,
                                           headers: headers, body: Data(body.readableBytesView))
            box.append(recorded)
            let answer = await handler(recorded)
            if let delay = answer.delay { try? await Task.sleep(for: delay) }
            var fields = HTTPFields()
            for (name, value) in answer.headers {
                if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
            }
            return Response(status: .init(code: answer.status), headers: fields,
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        var logger = Logger(label: "fake-provider")
        logger.logLevel = .critical
        let app = Application(responder: responder,
                              configuration: .init(address: .hostname(host, port: 0), serverName: "fake"),
                              onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
                              logger: logger)
        let task = Task { try await app.runService() }
        var iterator = portStream.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            throw CancellationError()
        }
        return FakeHTTPServer(port: port, host: host, task: task, recorded: box)
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }

    private final class Log: Sendable {
        let entries = Mutex<[RecordedRequest]>([])
        func append(_ request: RecordedRequest) { entries.withLock { $0.append(request) } }
    }
}
