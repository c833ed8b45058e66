import Foundation
import Hummingbird
import VidflowCore

/// `/v1/files`: multipart upload, download with Range, directory delete — all inside the user's storage.
struct FileController {
    let state: ServerState

    func addRoutes(to group: RouterGroup<ServerRequestContext>) {
        group.post("upload", use: upload)
        group.get("download/**", use: download)
        group.delete("directories", use: deleteDirectory)
    }

    func storage(_ context: ServerRequestContext) throws -> UserStorage {
        UserStorage(dataDirectory: state.arguments.dataDirectory, userID: try context.requireUser().id)
    }

    @Sendable func upload(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let storage = try storage(context)
        let limit = state.arguments.maxUploadBytes
        guard let boundary = MultipartForm.boundary(contentType: request.headers[.contentType]) else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type",
                           "send multipart/form-data with a 'file' part", field: "(body)")
        }
        let length = request.headers[.contentLength].flatMap(Int.init)
        if let length, length > limit + 64 * 1024 {
            throw APIError.tooLarge(limit, field: "file")
        }
        let quota = StorageQuota(limit: state.arguments.userQuotaBytes)
        let reader = MultipartStreamReader(boundary: boundary, limit: limit, scratchDirectory: storage.root + "/.uploads",
                                           quotaLeft: try quota.left(in: storage, contentLength: length, field: "file"),
                                           quota: quota)
        let form = try await reader.read(request.body)
        defer { for path in form.compactMap(\.file) { try? FileManager.default.removeItem(atPath: path) } }
        guard let file = form.first(where: { $0.name == "file" }), let upload = file.file else {
            throw APIError.badRequest("required: a 'file' part with a filename", field: "file")
        }
        let text = { (name: String) in form.first { $0.name == name }?.text.flatMap { $0.isEmpty ? nil : $0 } }
        let bucket = text("bucket") ?? "default"
        let bucketParts = try storage.components(bucket, field: "bucket")
        guard bucketParts.count == 1, !bucket.hasPrefix(".") else {
            throw UserStorage.bad("bucket", "must be a single name without '/' that does not start with '.'")
        }
        guard let relative = text("file_path") ?? file.filename else {
            throw APIError.badRequest("required: 'file_path' (or a filename on the file part)", field: "file_path")
        }
        let parts = bucketParts + (try storage.components(relative, field: "file_path"))
        let path = storage.absolute(parts)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        _ = try storage.components(parts.joined(separator: "/"), field: "file_path")
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard !isDirectory.boolValue else { throw UserStorage.bad("file_path", "names an existing directory") }
            try FileManager.default.removeItem(atPath: path)
        }
        try FileManager.default.moveItem(atPath: upload, toPath: path)
        let filePath = parts.dropFirst().joined(separator: "/")
        let downloadPath = parts.map { $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? $0 }
            .joined(separator: "/")
        return JSONResponse.make([
            "file_path": .string(filePath), "bucket": .string(bucket), "download_url": .string("/v1/files/download/\(downloadPath)"),
            "size": .int(file.size), "uploaded_at": JSONResponse.time(Date()),
            "content_type": .string(file.contentType ?? UserStorage.contentType(of: filePath)),
        ], status: .created)
    }

    @Sendable func download(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let storage = try storage(context)
        let prefix = "/v1/files/download/"
        let raw = request.uri.path.hasPrefix(prefix) ? String(request.uri.path.dropFirst(prefix.count)) : ""
        let path = storage.absolute(try storage.components(raw, field: "path"))
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil else {
            throw APIError.notFound("no file at '\(raw)'", field: "path")
        }
        return try FileResponse.make(path: path, size: size, contentType: UserStorage.contentType(of: path),
                                     range: request.headers[.range])
    }

    @Sendable func deleteDirectory(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let storage = try storage(context)
        let raw = request.uri.queryParameters["directory_path"].map(String.init) ?? ""
        let path = storage.absolute(try storage.components(raw, field: "directory_path"))
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw APIError.notFound("no directory at '\(raw)'", field: "directory_path")
        }
        let count = FileManager.default.enumerator(atPath: path)?.allObjects.count ?? 0
        try FileManager.default.removeItem(atPath: path)
        return JSONResponse.make(["directory_path": .string(raw), "deleted": true, "entries_deleted": .int(count)])
    }
}
