import Hummingbird
import VidflowCore

/// `202` to `POST /v1/workflows/{id}/cancel`: the run's status once cancellation was requested.
struct WorkflowCancellation: ResponseEncodable, Sendable {
    var workflowID: String
    var status: RunStatus
    var message = "cancellation requested"
}
