import Foundation
import VidflowTestSupport
import XCTest

/// Serves a directory over HTTP on 127.0.0.1 with Python's `http.server`, on a port the OS picks.
final class LoopbackFileServer: @unchecked Sendable {
    private let process = Process()
    let port: Int

    /// Starts the server; skips the test when python3 is missing.
    init(root: String) throws {
        guard (try? runTool("python3", ["--version"])) != nil else {
            throw XCTSkip("python3 is not installed, so no loopback HTTP server can be started")
        }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", root]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // "Serving HTTP on 127.0.0.1 port 40123 (http://127.0.0.1:40123/) ..."
        var text = ""
        let deadline = Date().addingTimeInterval(10)
        while !text.contains("port "), Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = text.range(of: "port "),
              let port = Int(text[range.upperBound...].prefix { $0.isNumber }) else {
            process.terminate()
            throw ToolError(message: "python http.server did not say its port: \(text)")
        }
        self.port = port
    }

    func url(_ name: String) -> String { "http://127.0.0.1:\(port)/\(name)" }

    /// Stops the server. (`waitUntilExit` is avoided: on Linux it can block forever inside an async test.)
    func stop() {
        process.terminate()
    }
}
