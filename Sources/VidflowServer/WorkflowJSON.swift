import Foundation
import VidflowCore

/// A run's summary as a `JSONValue`, for the webhook payloads (the API answers with `WorkflowSummary` itself).
enum WorkflowJSON {
    /// `WorkflowSummary` under the API's conventions: the same fields the API shows.
    static func summary(_ run: RunRecord) -> JSONValue {
        let data = (try? APIResponseEncoder.json(WorkflowSummary(run))) ?? Data()
        return (try? JSONValue.parse(String(decoding: data, as: UTF8.self))) ?? .null
    }
}
