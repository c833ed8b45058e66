import Hummingbird

/// `POST /v1/callbacks/{provider}`: the delivery was verified; the job it updated and the job's state
/// (`job_id` null and no `status` when the delivery carried no update).
struct CallbackReceipt: ResponseEncodable, Sendable {
    var received = true
    @Nullable var jobID: String?
    var status: String?
}
