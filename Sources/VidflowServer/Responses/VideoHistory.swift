import Hummingbird

/// `GET /v1/video/history`: a page of the user's video tasks, newest first.
struct VideoHistory: ResponseEncodable, Sendable {
    var items: [VideoTask]
    @Nullable var nextCursor: String?
}
