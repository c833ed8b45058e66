import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import XCTest

/// `/docs` serves the vendored Swagger UI reading `/openapi.yaml`, without a token; only its own files.
final class APIDocsTests: XCTestCase {
    func testDocsServesThePageAndItsFilesWithoutATokenAndNothingElse() async throws {
        let server = try TestServer()
        defer { server.remove() }
        try await server.test { client in
            let page = try await client.executeRequest(uri: "/docs", method: .get, headers: [:], body: nil)
            XCTAssertEqual(page.status, .ok)
            XCTAssertEqual(page.headers[.contentType], "text/html; charset=utf-8")
            let html = String(buffer: page.body)
            XCTAssertTrue(html.contains("\"/openapi.yaml\""), html)
            XCTAssertTrue(html.contains("/docs/swagger-ui-bundle.js"))
            let script = try await client.executeRequest(uri: "/docs/swagger-ui-bundle.js", method: .get, headers: [:], body: nil)
            XCTAssertEqual(script.status, .ok)
            XCTAssertEqual(script.headers[.contentType], "application/javascript; charset=utf-8")
            XCTAssertEqual(script.headers[.cacheControl], "public, max-age=86400")
            XCTAssertGreaterThan(script.body.readableBytes, 100_000)
            XCTAssertTrue(String(buffer: script.body).contains("SwaggerUIBundle"))
            let style = try await client.executeRequest(uri: "/docs/swagger-ui.css", method: .get, headers: [:], body: nil)
            XCTAssertEqual(style.status, .ok)
            XCTAssertEqual(style.headers[.contentType], "text/css; charset=utf-8")
            for path in ["/docs/index.js", "/docs/..", "/docs/%2e%2e", "/docs/..%2fopenapi.yaml", "/docs/README.md",
                         "/docs/../openapi.yaml", "/docs/index.html"] {
                let answer = try await client.executeRequest(uri: path, method: .get, headers: [:], body: nil)
                XCTAssertEqual(answer.status, .notFound, path)
                XCTAssertFalse(String(buffer: answer.body).contains("Apache"), path)
            }
        }
    }
}
