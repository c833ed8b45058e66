import Foundation
import Hummingbird

/// `GET /docs`: interactive API documentation (a vendored, pinned Swagger UI 4.15.5 in `share/web/swagger`)
/// reading `/openapi.yaml`; `GET /docs/{file}` serves its script and style files. Public, like the document.
/// Only the files listed here are served, by name: nothing the path says can reach another file.
struct APIDocsController {
    /// The served files and their content types.
    static let files: [String: String] = [
        "swagger-ui.css": "text/css; charset=utf-8",
        "swagger-ui-bundle.js": "application/javascript; charset=utf-8",
        "swagger-ui-standalone-preset.js": "application/javascript; charset=utf-8",
        "LICENSE": "text/plain; charset=utf-8",
    ]

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.get("/docs", use: page)
        router.get("/docs/:file", use: file)
    }

    @Sendable func page(_ request: Request, context: ServerRequestContext) async throws -> Response {
        // Revalidated each time, so a new vidflow's page is picked up at once; the assets below are pinned.
        try Self.serve("index.html", type: "text/html; charset=utf-8", cacheControl: "no-cache")
    }

    @Sendable func file(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let name = try context.parameters.require("file")
        guard let type = Self.files[name] else { throw APIError.notFound("no documentation file '\(name)'") }
        return try Self.serve(name, type: type, cacheControl: "public, max-age=86400")
    }

    private static func serve(_ name: String, type: String, cacheControl: String) throws -> Response {
        guard let directory = directory(), let data = FileManager.default.contents(atPath: directory + "/" + name) else {
            throw APIError.notFound("the API documentation is not installed (share/web/swagger/\(name))")
        }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: cacheControl],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `share/web/swagger` next to the OpenAPI document that `/openapi.yaml` serves.
    static func directory() -> String? {
        guard let document = OpenAPIController.documentPath() else { return nil }
        return URL(fileURLWithPath: document).deletingLastPathComponent().path + "/web/swagger"
    }
}
