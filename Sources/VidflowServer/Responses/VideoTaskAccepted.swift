import Foundation
import Hummingbird

/// `202` to `POST /v1/video/generate` and to `POST /v1/video/tasks/{id}/retry`: the new task, `pending`,
/// and a rough estimate of how long it takes; a retry names the task it retries.
struct VideoTaskAccepted: ResponseEncodable, Sendable {
    var taskID: String
    var status = "pending"
    var createdAt: Date
    var estimatedTimeSeconds: Int
    /// Only on a retry.
    var retryOf: String?
}
