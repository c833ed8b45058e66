import Hummingbird

/// `POST /v1/providers/{name}/test-connection`: whether the provider answered (and took its key), how fast,
/// and what it offers.
struct ProviderConnectionTest: ResponseEncodable, Sendable {
    var provider: String
    var ok: Bool
    @Nullable var error: VideoFailure?
    var latencyMs: Double
    var models: [String]
    var imageInput: Bool
}
