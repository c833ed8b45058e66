import Foundation
import VidflowCore

/// Where the image of a `/v1/video/generate` request goes: an `image_base64` image is decoded and kept as a
/// file in the user's storage (`videos/inputs`, counted against the quota), so the run's definition names a
/// path instead of carrying megabytes of text; an `image_file` (a `file_path` in the default bucket, or
/// `bucket/path`) is resolved by the rules of every stage file parameter (`LocalFile`, `FileAccessPolicy`).
struct VideoImageInput: Sendable {
    /// The largest image accepted, decoded: 10 MB.
    static let maxImageBytes = 10 * 1024 * 1024

    let storage: UserStorage
    let policy: FileAccessPolicy
    let quota: StorageQuota

    init(dataDirectory: String, userID: String, quotaBytes: Int?) {
        storage = UserStorage(dataDirectory: dataDirectory, userID: userID)
        policy = UserFileAccess(dataDirectory: dataDirectory, userID: userID).policy()
        quota = StorageQuota(limit: quotaBytes)
    }

    var inputsDirectory: String { storage.root + "/videos/inputs" }

    /// Decodes `text` (plain base64 or a `data:image/…;base64,` URI) and saves it; returns the file's path.
    func saved(base64 text: String) throws -> String {
        var encoded = Substring(text)
        if text.hasPrefix("data:") {
            guard let comma = text.firstIndex(of: ","), text[..<comma].hasSuffix(";base64") else {
                throw APIError.badRequest("a data URI must be base64 (data:image/png;base64,…)", field: "image_base64")
            }
            encoded = text[text.index(after: comma)...]
        }
        // 4 characters of base64 carry 3 bytes: refuse before decoding what cannot fit.
        if encoded.utf8.count / 4 * 3 > Self.maxImageBytes + 3 { throw Self.tooLarge("image_base64") }
        guard let data = Data(base64Encoded: String(encoded), options: .ignoreUnknownCharacters), !data.isEmpty else {
            throw APIError.badRequest("not valid base64", field: "image_base64")
        }
        guard data.count <= Self.maxImageBytes else { throw Self.tooLarge("image_base64") }
        if let left = try quota.left(in: storage, contentLength: nil, field: "image_base64"), data.count > left {
            throw quota.exceeded(field: "image_base64", used: nil, adding: data.count)
        }
        let ext = data.starts(with: [0x89, 0x50, 0x4E, 0x47]) ? "png" : data.starts(with: [0x52, 0x49, 0x46, 0x46]) ? "webp" : "jpg"
        let path = inputsDirectory + "/\(UUID().uuidString.lowercased()).\(ext)"
        do {
            try FileManager.default.createDirectory(atPath: inputsDirectory, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: path))
        } catch {
            throw APIError(.internalServerError, code: "storage_error", "cannot save the image", field: "image_base64")
        }
        return path
    }

    /// The real path of the uploaded file `text` names, or a 400 naming `image_file` (the same refusal
    /// whether the file is missing or not the user's).
    func resolved(file text: String) throws -> String {
        let path: String
        do {
            path = try LocalFile.resolve(text, parameter: "image_file", policy: policy)
        } catch {
            throw APIError.badRequest(FileAccessPolicy.refusal("image_file"), field: "image_file")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= Self.maxImageBytes else { throw Self.tooLarge("image_file") }
        return path
    }

    /// Removes an image `saved(base64:)` kept, when its request fails after all.
    func forget(_ path: String?) {
        guard let path, path.hasPrefix(inputsDirectory + "/") else { return }
        try? FileManager.default.removeItem(atPath: path)
    }

    static func tooLarge(_ field: String) -> APIError {
        APIError(.contentTooLarge, code: "too_large", "the image exceeds the limit of \(maxImageBytes) bytes (10 MB)", field: field)
    }
}
