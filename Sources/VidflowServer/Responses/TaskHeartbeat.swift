import Foundation
import Hummingbird
import VidflowCore

/// `GET /api/v1/monitoring/heartbeat/task/{id}`: a run's status, when it last changed, and its current stage.
struct TaskHeartbeat: ResponseEncodable, Sendable {
    var taskID: String
    var status: RunStatus
    @Nullable var lastUpdate: Date?
    @Nullable var stage: String?
    @Nullable var progress: Int?
}
