import Hummingbird

/// `DELETE /v1/videos/{id}`: OpenAI's deletion object.
struct OpenAIVideoDeletion: ResponseEncodable, Sendable {
    var id: String
    var object = "video.deleted"
    var deleted = true
}
