import Foundation
import Hummingbird
import VidflowCore
import VidflowStore

/// `/v1/files`: multipart upload, download with Range, directory delete — all inside the user's storage.
struct FileController {
    let state: ServerState

    func addRoutes(to group: RouterGroup<ServerRequestContext>) {
        group.post("upload", use: upload)
        group.get("download/**", use: download)
        group.head("download/**", use: head)
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
        return try Upload(filePath: filePath, bucket: bucket, downloadURL: "/v1/files/download/\(downloadPath)",
                          size: file.size, uploadedAt: Date(),
                          contentType: file.contentType ?? UserStorage.contentType(of: filePath))
            .response(.created, from: request, context: context)
    }

    /// `download/<bucket>/<file_path>`; when nothing is there, `download/<file_path>` of the `default` bucket
    /// (the bucket uploads go to), so a path without a bucket works. `share/workflows/<run id>/…` links a
    /// run's files first (see `RunShare`).
    @Sendable func download(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let storage = try storage(context)
        let prefix = "/v1/files/download/"
        let raw = request.uri.path.hasPrefix(prefix) ? String(request.uri.path.dropFirst(prefix.count)) : ""
        let parts = try storage.components(raw, field: "path")
        var names: [String: String] = [:]
        if let runID = RunShare.runID(inPath: parts.joined(separator: "/")) {
            names = try await linkShared(runID, storage: storage, context: context)
        }
        for candidate in [parts, ["default"] + parts] {
            let path = storage.absolute(candidate)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil else { continue }
            if candidate.count > parts.count { _ = try storage.components(candidate.joined(separator: "/"), field: "path") }
            return try FileResponse.make(path: path, size: size, contentType: UserStorage.contentType(of: path),
                                         range: request.headers[.range],
                                         filename: names[candidate.joined(separator: "/")] ?? candidate.last)
        }
        throw APIError.notFound("no file at '\(raw)'", field: "path")
    }

    /// `HEAD` on a download: the same status and headers (Content-Type, Content-Length, Accept-Ranges), no body.
    @Sendable func head(_ request: Request, context: ServerRequestContext) async throws -> Response {
        var response: Response
        do {
            response = try await download(request, context: context)
        } catch let error as APIError where error.status == .rangeNotSatisfiable {
            // The 416's headers without its body, as before.
            return Response(status: error.status, headers: error.headers)
        }
        // The body's declared length becomes Content-Length; for HEAD nothing is written.
        let length = response.headers[.contentLength].flatMap(Int.init) ?? 0
        response.body = ResponseBody(contentLength: length) { writer in try await writer.finish(nil) }
        return response
    }

    /// Links a run's files into `share/workflows/<id>/` when the run is the user's (else nothing: a 404 follows);
    /// returns their readable download names (`RunDownloadName`) by path.
    private func linkShared(_ runID: String, storage: UserStorage, context: ServerRequestContext) async throws -> [String: String] {
        let user = try context.requireUser()
        guard try await state.visible(runID, to: user), let run = try await state.store.run(runID) else { return [:] }
        let share = RunShare(storage: storage, runID: runID)
        let stages = try await state.store.stages(of: runID)
        let files = share.files(of: stages)
        share.link(files)
        return RunDownloadName.shared(files, run: run, stages: stages)
    }

    @Sendable func deleteDirectory(_ request: Request, context: ServerRequestContext) async throws -> DirectoryDeletion {
        let storage = try storage(context)
        let raw = request.uri.queryParameters["directory_path"].map(String.init) ?? ""
        // YiVideo writes its share directories with a leading slash: `/share/workflows/<id>`.
        let relative = raw.hasPrefix("/share/") ? String(raw.dropFirst()) : raw
        let parts = try storage.components(relative, field: "directory_path")
        let path = storage.absolute(parts)
        // The user's own run whose share directory this is, if it is one.
        var sharedRun: String?
        if let runID = RunShare.runID(inPath: parts.joined(separator: "/")), parts.count == 3,
           try await state.visible(runID, to: try context.requireUser()) {
            sharedRun = runID
            let share = RunShare(storage: storage, runID: runID)
            share.link(share.files(of: try await state.store.stages(of: runID)))
            if FileManager.default.fileExists(atPath: path) { share.markDeleted() }
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw APIError.notFound("no directory at '\(raw)'", field: "directory_path")
        }
        let count = FileManager.default.enumerator(atPath: path)?.allObjects.count ?? 0
        try FileManager.default.removeItem(atPath: path)
        var freed = 0
        if let sharedRun { freed = try await deleteArtifacts(usedOnlyBy: sharedRun) }
        return DirectoryDeletion(directoryPath: raw, entriesDeleted: count, artifactsDeleted: freed)
    }

    /// Deleting a run's share directory deletes the run's files: its artifacts that no other run names,
    /// unless an import touched one since the run ended (a running stage reusing the same content).
    private func deleteArtifacts(usedOnlyBy runID: String) async throws -> Int {
        guard let ended = try await state.store.run(runID)?.endedAt else { return 0 }
        let sweep = RetentionSweep(store: state.store, dataDirectory: state.arguments.dataDirectory)
        var deleted = 0
        for artifact in try await state.store.artifactsUsedOnly(byRun: runID)
        where !RetentionSweep.touched(artifact.path, after: ended.addingTimeInterval(1)) {
            // The artifact's file and the caches beside it (a sprite sheet), as the retention sweep removes them.
            let files = sweep.files(of: artifact)
            for file in files { try? FileManager.default.removeItem(atPath: file) }
            if !files.isEmpty { deleted += 1 }
        }
        return deleted
    }
}
