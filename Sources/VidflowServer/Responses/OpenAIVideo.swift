import Hummingbird

/// OpenAI's video object (`/v1/videos`): times are Unix seconds, `seconds` a string, as OpenAI's SDKs read them.
struct OpenAIVideo: ResponseEncodable, Sendable {
    var id: String
    var object = "video"
    var model: String
    /// `queued`, `in_progress`, `completed` or `failed`.
    var status: String
    var progress: Int
    var createdAt: Int
    @Nullable var completedAt: Int?
    @Nullable var expiresAt: Int? = nil
    @Nullable var prompt: String?
    var size: String
    var seconds: String
    @Nullable var remixedFromVideoID: String?
    @Nullable var error: VideoFailure?
}
