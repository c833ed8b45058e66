import Hummingbird

/// `GET /v1/videos`: OpenAI's list object.
struct OpenAIVideoList: ResponseEncodable, Sendable {
    var object = "list"
    var data: [OpenAIVideo]
    @Nullable var firstID: String?
    @Nullable var lastID: String?
    var hasMore: Bool
}
