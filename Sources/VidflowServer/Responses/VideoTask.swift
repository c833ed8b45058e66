import Foundation
import Hummingbird

/// A video task as `GET /v1/video/tasks/{id}` and `/v1/video/history` show it (see `VideoTaskView.task`).
struct VideoTask: ResponseEncodable, Sendable {
    var taskID: String
    /// `pending`, `processing`, `completed`, `failed` or `cancelled`.
    var status: String
    var progress: Int
    @Nullable var videoURL: String?
    var videoURLs: [String]
    @Nullable var thumbnailURL: String?
    /// Seconds of the finished video.
    @Nullable var duration: Double?
    @Nullable var error: VideoFailure?
    @Nullable var prompt: String?
    @Nullable var provider: String?
    @Nullable var model: String?
    var createdAt: Date
    var updatedAt: Date
    @Nullable var completedAt: Date?
    var retryCount: Int
    var maxRetries: Int
    @Nullable var retryOf: String?
    var warnings: [String]

    private enum CodingKeys: String, CodingKey {
        case taskID, status, progress, videoURL, thumbnailURL, duration, error, prompt, provider, model, createdAt
        case updatedAt, completedAt, retryCount, maxRetries, retryOf, warnings
        case videoURLs = "video_urls"   // the encoder's snake_case would make it `video_ur_ls`
    }
}

/// Why a video failed (or that it was cancelled): `code` and a message for people.
struct VideoFailure: Encodable, Sendable {
    var code: String
    var message: String
}
