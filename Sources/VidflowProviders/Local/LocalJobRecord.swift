import Foundation
import VidflowMedia

/// One job of the `local` provider as kept on disk (`jobs/<id>.json`), so any process can poll it.
struct LocalJobRecord: Sendable, Equatable, Codable {
    var id: String
    var idempotencyKey: String
    var createdAt: Date
    /// The request as submitted (after adaptation to the provider's capabilities).
    var request: VideoRequest
    /// What the renderer draws; rendering it again gives the same video.
    var render: RenderRequest
    /// `queued` until a render finished; then `succeeded`, `failed` or `cancelled`.
    var state: VideoJobStatus.State
    var errorMessage: String?
}
