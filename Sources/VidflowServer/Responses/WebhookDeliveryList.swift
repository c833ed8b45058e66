import Foundation
import Hummingbird
import VidflowCore

/// `GET /v1/workflows/{id}/deliveries`: every webhook delivery attempt of a run.
struct WebhookDeliveryList: ResponseEncodable, Sendable {
    var workflowID: String
    var items: [Delivery]

    /// One attempt: where it went, what came back, when and how long it took.
    struct Delivery: Encodable, Sendable {
        var id: String
        var attempt: Int
        var url: String
        @Nullable var statusCode: Int?
        @Nullable var error: String?
        var succeeded: Bool
        var at: Date
        var durationMs: Double
    }
}
