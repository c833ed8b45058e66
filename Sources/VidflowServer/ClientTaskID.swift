import Foundation
import VidflowCore
import VidflowEngine
import VidflowStore

/// A `task_id` a client chose for `POST /v1/tasks`: checked, then used as the run's id.
///
/// The same user posting the same `task_id` again gets the task it created (an idempotent retry of
/// the request, whatever the new body says); an id held by any other run (another user's, a workflow,
/// a CLI run, a deleted task) answers 409 without saying whose it is.
struct ClientTaskID {
    let value: String

    /// nil when the request names no `task_id`; 400 naming `task_id` when it is not a valid run id.
    init?(_ given: String?) throws {
        guard let given else { return nil }
        guard RunRequest.isValidRunID(given) else {
            throw APIError.badRequest("must be \(RunRequest.runIDRule)", field: "task_id")
        }
        value = given
    }

    /// The idempotency key a task posted with this id carries (before `WorkflowSubmission` scopes it per user).
    var idempotencyKey: String { "task:" + value }

    static func taken(_ id: String) -> APIError {
        APIError.conflict("task_id '\(id)' is already used by another task", field: "task_id")
    }

    /// Whether the user already created this task (true), nobody holds the id (false), or 409.
    func existing(state: ServerState, user: ServerUser) async throws -> Bool {
        guard let run = try await state.store.run(value) else { return false }
        let key = WorkflowSubmission(state: state, user: user).scopedKey(idempotencyKey)
        guard run.idempotencyKey == key, try await state.store.owner(ofRun: value) == user.id else {
            throw Self.taken(value)
        }
        return true
    }
}
