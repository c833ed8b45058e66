import Foundation
import Hummingbird
import HummingbirdTesting
@testable import VidflowServer
import XCTest

/// `share/openapi.yaml` is valid OpenAPI 3.1, and the live server answers only what it documents: a
/// property-based run (schemathesis) over every operation finds no server error, no undocumented status
/// code, no body off its schema and no undocumented content type.
///
/// The tools come from the `.venv` that `make test-deps` creates; without them these tests fail (never
/// skip), saying how to install them. `VIDFLOW_FUZZ_EXAMPLES` (default 25 per operation),
/// `VIDFLOW_FUZZ_SEED` (default 1; `random` for a new one each run) and `VIDFLOW_FUZZ_MAX_TIME` (seconds)
/// make the long run of `make fuzz`.
final class OpenAPIFuzzTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// A tool of the test virtualenv is not installed: the test fails saying how to install it.
    struct MissingTool: Error, CustomStringConvertible {
        var path: String
        var description: String {
            "\(path) is missing: run `make test-deps` (it creates .venv with schemathesis and openapi-spec-validator)"
        }
    }

    /// A tool of the test virtualenv; throws `MissingTool` (failing the test, never skipping it) when missing.
    static func tool(_ name: String) throws -> String {
        let path = packageRoot + "/.venv/bin/" + name
        guard FileManager.default.isExecutableFile(atPath: path) else { throw MissingTool(path: path) }
        return path
    }

    /// Runs a child process to its end without blocking a thread of the cooperative pool (the server
    /// under test runs in this process); returns its exit status and output.
    static func run(_ executable: String, _ arguments: [String], timeout: Duration) async throws -> (status: Int32, output: String) {
        let directory = NSTemporaryDirectory() + "vidflow-fuzz-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outputPath = directory + "/output.txt"
        FileManager.default.createFile(atPath: outputPath, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)   // hypothesis keeps its database here
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment["COLUMNS"] = "120"
        process.environment = environment
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            try output.close()
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            return (-1, "timed out after \(timeout)\n" + text)
        }
        try output.close()
        return (process.terminationStatus, (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "")
    }

    func testTheDocumentIsValidOpenAPI31() async throws {
        let validator = try Self.tool("openapi-spec-validator")
        let document = try XCTUnwrap(OpenAPIController.documentPath())
        let result = try await Self.run(validator, [document], timeout: .seconds(60))
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("OK"), result.output)
        let text = try String(contentsOfFile: document, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("openapi: 3.1"), "an OpenAPI 3.1 document")
    }

    func testTheLiveServerAnswersOnlyWhatTheDocumentSays() async throws {
        let schemathesis = try Self.tool("schemathesis")
        let environment = ProcessInfo.processInfo.environment
        let examples = environment["VIDFLOW_FUZZ_EXAMPLES"].flatMap(Int.init) ?? 25
        let seed = environment["VIDFLOW_FUZZ_SEED"] ?? "1"
        let maxTime = environment["VIDFLOW_FUZZ_MAX_TIME"].flatMap(Int.init)
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("fuzzer", admin: true)
        // The file `GET /openapi.yaml` serves (schemathesis leaves the schema's own URL out when given it).
        let document = try XCTUnwrap(OpenAPIController.documentPath())
        try await server.test(.live) { client in
            let base = "http://127.0.0.1:\(try XCTUnwrap(client.port))"
            var arguments = ["run", document, "--url", base,
                             "-H", "Authorization: Bearer \(token)",
                             "--checks", "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance",
                             "--max-examples", String(examples), "--request-timeout", "30", "--workers", "1"]
            if seed != "random" { arguments += ["--seed", seed] }
            if let maxTime { arguments += ["--max-time", String(maxTime)] }
            let started = ContinuousClock.now
            let result = try await Self.run(schemathesis, arguments, timeout: .seconds(maxTime.map { $0 + 300 } ?? 600))
            let summary = result.output.split(separator: "\n").suffix(30).joined(separator: "\n")
            print("schemathesis (\(examples) examples per operation, seed \(seed)) took \(ContinuousClock.now - started):\n\(summary)")
            XCTAssertEqual(result.status, 0, "schemathesis found failures:\n\(result.output)")
            let routes = try OpenAPIAndOperationsTests.documentedRoutes().count
            XCTAssertTrue(result.output.contains("Selected: \(routes)/\(routes)") && result.output.contains("Tested: \(routes)"),
                          "every operation was tested:\n\(summary)")
        }
    }
}
