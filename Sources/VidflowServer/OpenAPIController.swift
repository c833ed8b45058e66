import Foundation
import Hummingbird

/// `GET /openapi.yaml`: the OpenAPI 3.1 document kept in `share/openapi.yaml`.
struct OpenAPIController {
    func addRoutes(to router: Router<ServerRequestContext>) {
        router.get("/openapi.yaml", use: document)
    }

    @Sendable func document(_ request: Request, context: ServerRequestContext) async throws -> Response {
        guard let path = Self.documentPath(), let data = FileManager.default.contents(atPath: path) else {
            throw APIError.notFound("the OpenAPI document is not installed (share/openapi.yaml)")
        }
        return Response(status: .ok, headers: [.contentType: "application/yaml"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `$VIDFLOW_SHARE_DIR/openapi.yaml`, `./share/openapi.yaml`, `<executable>/../share/…`, or the source tree's.
    static func documentPath() -> String? {
        var candidates: [String] = []
        if let share = ProcessInfo.processInfo.environment["VIDFLOW_SHARE_DIR"], !share.isEmpty {
            candidates.append(share + "/openapi.yaml")
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/share/openapi.yaml")
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        candidates.append(executable.appendingPathComponent("../share/openapi.yaml").standardizedFileURL.path)
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        candidates.append(source.appendingPathComponent("../../share/openapi.yaml").standardizedFileURL.path)
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }
}
