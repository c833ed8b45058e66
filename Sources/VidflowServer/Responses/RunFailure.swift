import Hummingbird
import VidflowCore

/// Why a run or stage failed: the failure's kind, its message (server paths hidden for a confined run),
/// and the stage a retry would restart from.
struct RunFailure: Encodable, Sendable {
    var code: String
    var message: String
    @Nullable var restartFrom: String?

    init(_ failure: StageFailure, policy: FileAccessPolicy?) {
        code = failure.kind.rawValue
        message = policy.scrubbed(failure.message)
        restartFrom = failure.restartFrom
    }

    /// nil for no failure.
    init?(_ failure: StageFailure?, policy: FileAccessPolicy?) {
        guard let failure else { return nil }
        self.init(failure, policy: policy)
    }
}
