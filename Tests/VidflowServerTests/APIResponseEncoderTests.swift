import Foundation
import Hummingbird
import HummingbirdTesting
@testable import VidflowServer
import VidflowCore
import XCTest

/// The API's one response encoder keeps the conventions clients rely on, and every typed answer is named
/// after a schema of `share/openapi.yaml`.
final class APIResponseEncoderTests: XCTestCase {
    func testKeysAreSnakeCaseSortedNullsKeptDatesISO8601WithMillisecondsAndFreeFormKeysUntouched() throws {
        let at = Date(timeIntervalSince1970: 1_764_784_725.125)
        let heartbeat = TaskHeartbeat(taskID: "run_1/a", status: .running, lastUpdate: at, stage: nil, progress: nil)
        XCTAssertEqual(String(decoding: try APIResponseEncoder.json(heartbeat), as: UTF8.self),
                       #"{"last_update":"2025-12-03T17:58:45.125Z","progress":null,"stage":null,"status":"running","task_id":"run_1/a"}"#)
        let providers = ProviderList(providers: [["camelCase": ["keepMe": 1.5, "n": nil], "url": "https://a/b"]])
        XCTAssertEqual(String(decoding: try APIResponseEncoder.json(providers), as: UTF8.self),
                       #"{"providers":[{"camelCase":{"keepMe":1.5,"n":null},"url":"https://a/b"}]}"#)
    }

    func testANonFiniteNumberInFreeFormJSONIsWrittenAsNullNotAnError() throws {
        let body = ProviderList(providers: [["ratio": .double(.nan)]])
        XCTAssertEqual(String(decoding: try APIResponseEncoder.json(body), as: UTF8.self), #"{"providers":[{"ratio":null}]}"#)
    }

    func testTheAnswersContentTypeIsApplicationJSON() async throws {
        let server = try TestServer()
        defer { server.remove() }
        try await server.test { client in
            let root = try await client.executeRequest(uri: "/", method: .get, headers: [:], body: nil)
            XCTAssertEqual(root.headers[.contentType], "application/json")
            let missing = try await client.executeRequest(uri: "/v1/workflows", method: .get, headers: [:], body: nil)
            XCTAssertEqual(missing.headers[.contentType], "application/json")
        }
    }

    /// Each `ResponseEncodable` in Sources/VidflowServer/Responses has a schema of the same name in the document.
    func testEveryTypedAnswerIsNamedAfterASchemaOfTheDocument() throws {
        let directory = OpenAPIFuzzTests.packageRoot + "/Sources/VidflowServer/Responses"
        let document = try String(contentsOfFile: try XCTUnwrap(OpenAPIController.documentPath()), encoding: .utf8)
        let schemas = "\n" + (document.components(separatedBy: "\n  schemas:\n").last?.components(separatedBy: "\npaths:").first ?? "")
        var names: [String] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) where file.hasSuffix(".swift") {
            let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("struct ") && line.contains(": ResponseEncodable") {
                names.append(String(line.dropFirst("struct ".count).prefix { $0 != ":" }))
            }
        }
        XCTAssertGreaterThan(names.count, 20)
        for name in names {
            XCTAssertTrue(schemas.contains("\n    \(name):"), "\(name) has no schema under components/schemas")
        }
    }
}
