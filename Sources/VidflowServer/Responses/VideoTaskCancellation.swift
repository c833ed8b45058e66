import Hummingbird

/// `DELETE /v1/video/tasks/{id}`: cancellation of a running task was requested.
struct VideoTaskCancellation: ResponseEncodable, Sendable {
    var taskID: String
    var status = "cancelling"
    var message = "cancellation requested"
}
