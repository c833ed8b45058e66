import Hummingbird

/// `GET /api/v1/monitoring/health`: `healthy` or `degraded` with the issues, and each component's state.
struct Health: ResponseEncodable, Sendable {
    var status: String
    var issues: [String]
    var components: Components

    /// The database, the storage, the engine and the providers.
    struct Components: Encodable, Sendable {
        var database: Check
        var storage: Check
        var engine: Engine
        var providers: Providers
    }

    /// `healthy` or `unhealthy`.
    struct Check: Encodable, Sendable {
        var status: String
        init(_ healthy: Bool) { status = healthy ? "healthy" : "unhealthy" }
    }

    /// The engine: runs in progress and stages waiting.
    struct Engine: Encodable, Sendable {
        var status = "healthy"
        var activeRuns: Int
        var queueDepth: Int
    }

    /// The providers and the stage types the server knows.
    struct Providers: Encodable, Sendable {
        var status = "healthy"
        var names: [String]
        var stageTypes: [String]
    }
}
