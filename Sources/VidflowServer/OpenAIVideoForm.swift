import Foundation
import Hummingbird
import VidflowCore
import VidflowStore

/// The fields of an OpenAI `/v1/videos` create or remix: multipart (what the SDKs send) or JSON.
///
/// Multipart bodies are read as they arrive (`MultipartStreamReader`): a file `input_reference` goes to a
/// temp file in the user's storage, against the upload limit and the user's quota, never into memory.
/// Call `discard()` when done: it removes the temp files that were not kept.
struct OpenAIVideoForm {
    var json: JSONObjectReader?
    var parts: [MultipartStreamReader.Part] = []
    let storage: UserStorage

    static func read(_ request: Request, state: ServerState, user: ServerUser, allowed: Set<String>) async throws -> OpenAIVideoForm {
        let storage = UserStorage(dataDirectory: state.arguments.dataDirectory, userID: user.id)
        if let boundary = MultipartForm.boundary(contentType: request.headers[.contentType]) {
            let limit = state.arguments.maxUploadBytes
            let length = request.headers[.contentLength].flatMap(Int.init)
            if let length, length > limit + 64 * 1024 {
                throw APIError.tooLarge(limit, field: "input_reference")
            }
            let quota = StorageQuota(limit: state.arguments.userQuotaBytes)
            let reader = MultipartStreamReader(boundary: boundary, limit: limit, scratchDirectory: storage.root + "/.uploads",
                                               quotaLeft: try quota.left(in: storage, contentLength: length, field: "input_reference"),
                                               quota: quota)
            let form = OpenAIVideoForm(json: nil, parts: try await reader.read(request.body), storage: storage)
            if let unknown = form.parts.map(\.name).sorted().first(where: { !allowed.contains($0) }) {
                form.discard()
                throw APIError.badRequest("unknown field '\(unknown)'", field: unknown, code: "unknown_field")
            }
            return form
        }
        let body = try await JSONObjectReader.body(of: request, limit: state.arguments.maxJSONBytes)
        try body.rejectUnknown(allowed)
        return OpenAIVideoForm(json: body, storage: storage)
    }

    /// Removes the temp files of file parts (those moved into the user's storage are gone already).
    func discard() {
        for path in parts.compactMap(\.file) where FileManager.default.fileExists(atPath: path) {
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    func part(_ name: String) -> MultipartStreamReader.Part? { parts.first { $0.name == name } }

    /// A text field; in JSON a number is taken as its text too (`"seconds": 4`).
    func string(_ key: String) throws -> String? {
        if json == nil {
            guard let part = part(key) else { return nil }
            guard part.file == nil else { throw APIError.badRequest("must be a text field, not a file", field: key) }
            return part.text
        }
        guard let json, let value = json.value(key) else { return nil }
        if let number = value.intValue { return String(number) }
        return try json.string(key)
    }

    /// Where a file `input_reference` is kept: the user's storage, so it counts against the quota.
    var inputsDirectory: String { storage.root + "/videos/inputs" }

    /// `input_reference`: a file part (moved into the user's storage, under `videos/inputs`), a text part
    /// holding a URL, or `{"image_url": …}` in JSON.
    func inputReference() throws -> String? {
        if json == nil {
            guard let part = part("input_reference") else { return nil }
            guard let upload = part.file else {
                return try VideoRequestParser.checkedURL(part.text ?? "", field: "input_reference")
            }
            guard part.size > 0 else { throw APIError.badRequest("the file is empty", field: "input_reference") }
            let type = part.contentType ?? "image/jpeg"
            let ext = type.contains("png") ? "png" : type.contains("webp") ? "webp" : "jpg"
            try FileManager.default.createDirectory(atPath: inputsDirectory, withIntermediateDirectories: true)
            let path = inputsDirectory + "/\(UUID().uuidString.lowercased()).\(ext)"
            do {
                try FileManager.default.moveItem(atPath: upload, toPath: path)
            } catch {
                throw APIError(.internalServerError, code: "storage_error", "cannot save the input reference", field: "input_reference")
            }
            return path
        }
        guard let json, let reference = try json.object("input_reference") else { return nil }
        let nested = try JSONObjectReader(.object(reference), path: "input_reference")
        try nested.rejectUnknown(["image_url", "file_id"])
        if try nested.string("file_id") != nil {
            throw APIError.badRequest("file ids are not supported; send image_url or a file part", field: "input_reference.file_id")
        }
        guard let url = try nested.string("image_url") else {
            throw APIError.badRequest("required: image_url", field: "input_reference.image_url")
        }
        return try VideoRequestParser.checkedURL(url, field: "input_reference.image_url")
    }

    /// Removes a file `inputReference()` kept, when the request it came with fails after all.
    func forget(_ reference: String?) {
        guard let reference, reference.hasPrefix(inputsDirectory + "/") else { return }
        try? FileManager.default.removeItem(atPath: reference)
    }
}
