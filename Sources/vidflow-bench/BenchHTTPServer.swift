import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import VidflowServer
#if canImport(Glibc)
import Glibc
#endif

/// A vidflow server running in this process on a free loopback port, without auth, for benchmarks over real HTTP.
///
/// ```swift
/// let server = try await BenchHTTPServer.start()
/// let response = try await server.client.execute(HTTPClientRequest(url: server.url("/api/v1/monitoring/health")), timeout: .seconds(5))
/// await server.stop()
/// ```
struct BenchHTTPServer {
    let directory: String
    let port: Int
    /// A client allowed as many connections to the server as the bench opens at once.
    let client: HTTPClient
    private let task: Task<Void, any Error>

    static func start(connections: Int, configure: (inout ServerArguments) -> Void = { _ in }) async throws -> BenchHTTPServer {
        let directory = NSTemporaryDirectory() + "vidflow-bench-http-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/workflows", withIntermediateDirectories: true)
        let port = try freeLoopbackPort()
        var arguments = ServerArguments(host: "127.0.0.1", port: port, dataDirectory: directory + "/data",
                                        workflowsDirectory: directory + "/workflows", auth: false, announce: false)
        var logger = Logger(label: "vidflow.bench.server")
        // Quiet: the bench's own shutdown (cancelling the service) is logged as errors otherwise.
        logger.logLevel = .critical
        arguments.logger = logger
        arguments.providerEnvironment = [:]
        configure(&arguments)
        let app = try await buildApplication(arguments)
        let task = Task { try await app.runService() }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let server = BenchHTTPServer(directory: directory, port: port, client: client, task: task)
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let request = HTTPClientRequest(url: server.url("/api/v1/monitoring/health"))
            if let response = try? await client.execute(request, timeout: .seconds(2)), response.status == .ok { return server }
            try await Task.sleep(for: .milliseconds(50))
        }
        await server.stop()
        throw BenchError("the in-process server did not answer on port \(port)")
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// `POST /v1/workflows` with `definition`; returns the workflow id and the seconds the answer took.
    func create(_ definition: String) async throws -> (id: String, seconds: Double) {
        var request = HTTPClientRequest(url: url("/v1/workflows"))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: "{\"definition\": \(definition)}"))
        let begin = ContinuousClock.now
        let response = try await client.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        let elapsed = seconds(ContinuousClock.now - begin)
        let text = String(buffer: body)
        guard response.status.code == 202, let match = text.range(of: #""workflow_id":"[^"]+""#, options: .regularExpression) else {
            throw BenchError("POST /v1/workflows answered \(response.status.code): \(text.prefix(200))")
        }
        let id = text[match].dropFirst(#""workflow_id":""#.count).dropLast()
        return (String(id), elapsed)
    }

    func stop() async {
        try? await client.shutdown()
        task.cancel()
        _ = await task.result
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A loopback port nobody listens on now (the kernel's pick; the server binds it right after).
    static func freeLoopbackPort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw BenchError("cannot open a socket to find a free port") }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(socketFD, generic, length) == 0 && getsockname(socketFD, generic, &length) == 0
            }
        }
        guard bound else { throw BenchError("cannot bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// CPU seconds (user + system) this process has used so far.
func processCPUSeconds() -> Double {
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}
