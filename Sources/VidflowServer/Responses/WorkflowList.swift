import Hummingbird

/// `GET /v1/workflows`: a page of the user's runs, newest first; `next_cursor` asks for the next page.
struct WorkflowList: ResponseEncodable, Sendable {
    var items: [WorkflowSummary]
    @Nullable var nextCursor: String?
}
