import Hummingbird
import VidflowCore

/// `202` to `POST /v1/tasks` for a new task: its id, the stage type it runs, `pending`.
struct TaskAccepted: ResponseEncodable, Sendable {
    var taskID: String
    var taskName: String
    var status: RunStatus = .pending
}
