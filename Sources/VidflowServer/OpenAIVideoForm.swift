import Foundation
import Hummingbird
import VidflowCore
import VidflowStore

/// The fields of an OpenAI `/v1/videos` create or remix: multipart (what the SDKs send) or JSON.
struct OpenAIVideoForm {
    var json: JSONObjectReader?
    var form: MultipartForm?
    let storage: UserStorage

    static func read(_ request: Request, state: ServerState, user: ServerUser, allowed: Set<String>) async throws -> OpenAIVideoForm {
        let storage = UserStorage(dataDirectory: state.arguments.dataDirectory, userID: user.id)
        if let boundary = MultipartForm.boundary(contentType: request.headers[.contentType]) {
            var request = request
            let limit = state.arguments.maxUploadBytes
            let buffer: ByteBuffer
            do {
                buffer = try await request.collectBody(upTo: limit)
            } catch {
                throw APIError.tooLarge(limit, field: "input_reference")
            }
            let form = try MultipartForm(body: Data(buffer.readableBytesView), boundary: boundary)
            if let unknown = form.parts.map(\.name).sorted().first(where: { !allowed.contains($0) }) {
                throw APIError.badRequest("unknown field '\(unknown)'", field: unknown, code: "unknown_field")
            }
            return OpenAIVideoForm(json: nil, form: form, storage: storage)
        }
        let body = try await JSONObjectReader.body(of: request, limit: state.arguments.maxJSONBytes)
        try body.rejectUnknown(allowed)
        return OpenAIVideoForm(json: body, form: nil, storage: storage)
    }

    /// A text field; in JSON a number is taken as its text too (`"seconds": 4`).
    func string(_ key: String) throws -> String? {
        if let form { return form.part(key)?.text }
        guard let json, let value = json.value(key) else { return nil }
        if let number = value.intValue { return String(number) }
        return try json.string(key)
    }

    /// `input_reference`: a file part (saved in the user's storage), or `{"image_url": …}`.
    func inputReference() throws -> String? {
        if let form {
            guard let part = form.part("input_reference") else { return nil }
            guard part.filename != nil || !(part.contentType ?? "").isEmpty else {
                return try VideoRequestParser.checkedURL(part.text ?? "", field: "input_reference")
            }
            guard !part.data.isEmpty else { throw APIError.badRequest("the file is empty", field: "input_reference") }
            let type = part.contentType ?? "image/jpeg"
            let ext = type.contains("png") ? "png" : type.contains("webp") ? "webp" : "jpg"
            let directory = storage.root + "/videos/inputs"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let path = directory + "/\(UUID().uuidString.lowercased()).\(ext)"
            guard FileManager.default.createFile(atPath: path, contents: part.data) else {
                throw APIError(.internalServerError, code: "storage_error", "cannot save the input reference")
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
}
