import VidflowCore

/// One parsed SSE frame.
struct SSEFrame: Equatable {
    var id: Int64
    var event: String
    var data: JSONValue
}
